import * as grpc from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { connectAuthz, headerMap, HTTP_STATUS_NAMES, type AuthzClient, type CheckResponse } from "./helpers/authz-client.ts";
import { startFixtureServer, type FixtureServer } from "./helpers/fixture-server.ts";
import { FIXTURE_KEYS, FRAUD_POLICY } from "./fixtures.ts";

// The real server on free loopback ports, called by a real grpc-js client with CheckRequests
// shaped as Envoy sends them — over TCP and over the Unix socket the injected Envoy uses.

let fixture: FixtureServer;
const clients: Record<string, AuthzClient> = {};

beforeAll(async () => {
  fixture = await startFixtureServer({ policyYaml: FRAUD_POLICY, keys: FIXTURE_KEYS });
  clients["tcp"] = connectAuthz(fixture.tcpTarget);
  clients["uds"] = connectAuthz(fixture.udsTarget);
});

afterAll(async () => {
  for (const c of Object.values(clients)) c.close();
  await fixture.stop();
});

const INFER = "/v2/models/fraud-detector/infer";

function withKey(name: keyof typeof FIXTURE_KEYS, path = INFER, method = "POST", extra: Record<string, string> = {}) {
  return buildCheckRequest({ method, path, headers: { "x-api-key": fixture.keys[name] as string, ...extra } });
}

function denial(response: CheckResponse) {
  return {
    grpc: response.status?.code,
    http: response.denied_response?.status?.code,
    headers: headerMap(response.denied_response?.headers),
    body: JSON.parse(response.denied_response?.body ?? "{}") as Record<string, unknown>,
  };
}

describe.each(["tcp", "uds"])("Check over %s", (transport) => {
  const client = () => clients[transport] as AuthzClient;

  it("allows the data scientist with identity headers set to overwrite and the key removed upstream", async () => {
    const response = await client().check(withKey("scientist", INFER, "POST", { "x-modelgate-subject": "forged" }));
    expect(response.status?.code).toBe(0);
    const headers = headerMap(response.ok_response?.headers);
    expect(headers.get("x-modelgate-subject")).toBe("dana@example.com");
    expect(headers.get("x-modelgate-auth-method")).toBe("apikey");
    expect(headers.get("x-modelgate-decision-id")).toMatch(/^[0-9a-f-]{36}$/);
    for (const h of response.ok_response?.headers ?? []) expect(h.append_action).toBe("OVERWRITE_IF_EXISTS_OR_ADD");
    // Both headers the API key source reads, whichever carried the key.
    expect(response.ok_response?.headers_to_remove).toEqual(["x-api-key", "authorization"]);
    expect(headerMap(response.ok_response?.response_headers_to_add).get("ratelimit-policy")).toBe('"minute";q=5;w=60');
    // Envoy stores this Struct under envoy.filters.http.ext_authz for access logs.
    const fields = (response.dynamic_metadata as { fields?: Record<string, { stringValue?: string }> } | undefined)?.fields;
    expect(fields?.["decision_id"]?.stringValue).toBe(headers.get("x-modelgate-decision-id"));
    expect(fields?.["reason"]?.stringValue).toBe("allowed");
  });

  it("answers 401 with a challenge when no credential is presented", async () => {
    const d = denial(await client().check(buildCheckRequest({ method: "POST", path: INFER })));
    expect(d.grpc).toBe(16);
    expect(d.http).toBe(HTTP_STATUS_NAMES[401]);
    expect(d.headers.get("www-authenticate")).toContain("ApiKey");
    expect(d.headers.get("content-type")).toBe("application/problem+json");
    expect(d.body["reason"]).toBe("credential_missing");
    expect(d.body["decision_id"]).toBe(d.headers.get("x-modelgate-decision-id"));
  });

  it.each([
    ["a malformed key", "mgk_nope", "api_key_malformed"],
    ["a key with a typo", "mgk_aaaaaaaaaaaa_" + "A".repeat(38), "api_key_checksum"],
  ])("answers 401 for %s, never falling through to anonymous", async (_name, key, reason) => {
    const d = denial(await client().check(buildCheckRequest({ method: "POST", path: INFER, headers: { "x-api-key": key } })));
    expect(d.grpc).toBe(16);
    expect(d.body["reason"]).toBe(reason);
    expect(d.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("answers 403 for the analyst on predict and allows the analyst's read", async () => {
    const d = denial(await client().check(withKey("analyst")));
    expect(d.grpc).toBe(7);
    expect(d.http).toBe(HTTP_STATUS_NAMES[403]);
    expect(d.body["reason"]).toBe("policy_no_match");
    const read = await client().check(withKey("analyst", "/v2/models/fraud-detector", "GET"));
    expect(read.status?.code).toBe(0);
  });

  it("maps a custom route to its action before the profile", async () => {
    expect((await client().check(withKey("mlops", "/retrain"))).status?.code).toBe(0);
    expect(denial(await client().check(withKey("scientist", "/retrain"))).grpc).toBe(7);
  });

  it("denies malformed and partial CheckRequests with a reason instead of an RPC error", async () => {
    for (const request of [{}, { attributes: {} }, { attributes: { request: { http: { method: "GET" } } } }]) {
      const d = denial(await client().check(request));
      expect(d.grpc).toBe(3);
      expect(d.body["reason"]).toBe("request_malformed");
    }
  });

  it("denies a huge header map with header_invalid", async () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 5000; i++) headers[`x-h-${i}`] = "v".repeat(20);
    const d = denial(await client().check(buildCheckRequest({ method: "POST", path: INFER, headers })));
    expect(d.body["reason"]).toBe("header_invalid");
  });

  it("treats encoded-slash spellings of a path as invalid rather than as another route", async () => {
    const d = denial(await client().check(withKey("scientist", "/v2/models/fraud-detector%2Finfer")));
    expect(d.body["reason"]).toBe("path_invalid");
  });
});

describe("rate limiting through the server", () => {
  it("answers the sixth predict within a minute with 429, Retry-After and RateLimit headers", async () => {
    const client = clients["tcp"] as AuthzClient;
    const request = () =>
      buildCheckRequest({ method: "POST", path: INFER, headers: { authorization: `Bearer ${fixture.keys["scientist"]}` } });
    // The per-transport suites above already spent one predict each for this identity.
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await client.check(request())).status?.code ?? -1);
    const last = denial(await client.check(request()));
    expect(codes.filter((c) => c === 0).length).toBe(3);
    expect(last.grpc).toBe(8);
    expect(last.http).toBe(HTTP_STATUS_NAMES[429]);
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(last.headers.get("ratelimit")).toMatch(/^"minute";r=0;t=\d+$/);
    expect(last.headers.get("ratelimit-policy")).toBe('"minute";q=5;w=60');
    expect(last.body["reason"]).toBe("rate_limited");
  });
});

describe("deadlines, load and health", () => {
  it("answers a Check whose deadline has already passed without crashing, and keeps serving", async () => {
    const client = clients["tcp"] as AuthzClient;
    const outcome = await client.check(withKey("bulk"), 1).then(
      (r) => r.status?.code,
      (e: grpc.ServiceError) => e.code,
    );
    expect([14, grpc.status.DEADLINE_EXCEEDED]).toContain(outcome);
    expect((await client.check(withKey("bulk"))).status?.code).toBe(0);
  });

  it("serves a few thousand concurrent checks without an error", async () => {
    const client = clients["tcp"] as AuthzClient;
    const kinds = ["bulk", "analyst", "none"] as const;
    const requests = Array.from({ length: 3000 }, (_, i) => kinds[i % 3] as (typeof kinds)[number]);
    const responses = await Promise.all(
      requests.map((k) => client.check(k === "none" ? buildCheckRequest({ method: "POST", path: INFER }) : withKey(k), 20_000)),
    );
    const codes = responses.map((r) => r.status?.code);
    expect(codes.filter((c) => c === 0).length).toBe(1000);
    expect(codes.filter((c) => c === 7).length).toBe(1000);
    expect(codes.filter((c) => c === 16).length).toBe(1000);
  });

  it("reports SERVING on grpc.health.v1.Health", async () => {
    const Health = grpc.makeClientConstructor(healthService, "grpc.health.v1.Health");
    const health = new Health(fixture.tcpTarget, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      check(req: { service: string }, cb: (e: grpc.ServiceError | null, r: { status: string }) => void): void;
    };
    for (const service of ["", "envoy.service.auth.v3.Authorization"]) {
      const reply = await new Promise<{ status: string }>((resolve, reject) =>
        health.check({ service }, (e, r) => (e ? reject(e) : resolve(r))),
      );
      expect(reply.status).toBe("SERVING");
    }
    health.close();
  });

  it("exposes metrics and probes without identities in labels", async () => {
    const ops = `http://127.0.0.1:${fixture.server.opsPort}`;
    expect((await fetch(`${ops}/healthz`)).status).toBe(200);
    expect((await fetch(`${ops}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${ops}/metrics`)).text();
    expect(metrics).toMatch(/modelgate_decisions_total\{decision="allow",reason="allowed",auth_method="apikey"\} \d+/);
    expect(metrics).toMatch(/modelgate_source_items\{kind="policies"\} 1/);
    expect(metrics).toMatch(/modelgate_source_items\{kind="apikeys"\} 4/);
    expect(metrics).not.toContain("dana@example.com");
  });
});
