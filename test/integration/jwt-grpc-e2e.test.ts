import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJwtIdentity, type JwtIdentity } from "../../src/wiring/create-jwt-identity.ts";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { startAuthzServer, type AuthzServer } from "../../src/adapters/grpc/authz-server.ts";
import { LocalLimiter } from "../../src/adapters/limiter/local-limiter.ts";
import { checkPorts } from "../../src/core/check-ports.ts";
import { decide } from "../../src/core/decide.ts";
import type { Decision } from "../../src/core/decision.ts";
import { mintApiKey } from "../../src/core/identity/api-key-format.ts";
import { recordForKey } from "../../src/core/identity/api-key-record.ts";
import { apiKeySource } from "../../src/core/identity/api-key-source.ts";
import { parseJwtConfig } from "../../src/config/parse-jwt-config.ts";
import { buildKeyIndex } from "../../src/core/identity/key-store.ts";
import { compilePolicies } from "../../src/core/policy/compile.ts";
import { parsePolicyYaml } from "../../src/core/policy/load-yaml.ts";
import { connectAuthz, headerMap, type AuthzClient, type CheckResponse } from "./helpers/authz-client.ts";
import { startOidcServer, type OidcServer, type TestKey } from "./helpers/oidc-server.ts";
import { TEAM_POLICY } from "./fixtures.ts";
import { plainDecisionService } from "./helpers/plain-decision-service.ts";

// End to end through the real gRPC Check server: one policy (`attributes: {team: data_science}`)
// admits the same team whether the caller shows a JWT from a real OpenID provider or an API key,
// and a token minted for another audience gets a 401 with a Bearer challenge.

const POLICY = TEAM_POLICY;

let idp: OidcServer;
let signer: TestKey;
let jwt: JwtIdentity;
let server: AuthzServer;
let client: AuthzClient;
let apiKey: string;
const decisions: Decision[] = [];
const errors: unknown[] = [];

beforeAll(async () => {
  idp = await startOidcServer();
  signer = await idp.addKey("ES256");
  const config = parseJwtConfig(
    { issuers: [{ issuer: idp.issuer, audiences: ["modelgate"], claims: { attributes: { team: "ext.team" } } }] },
    "identity.jwt",
  );
  if (!config.ok) throw new Error(JSON.stringify(config.error));
  jwt = createJwtIdentity(config.value, { baseDir: "/" });
  await jwt.start();

  apiKey = mintApiKey((n) => new Uint8Array(randomBytes(n))).key;
  const record = recordForKey(apiKey, { subject: "svc-scorer", attributes: { team: "data_science" } }, Date.now());
  if (!record.ok) throw new Error(JSON.stringify(record.error));
  const { index: keys } = buildKeyIndex([record.value]);

  const parsed = parsePolicyYaml(POLICY, "policy.yaml");
  expect(parsed.issues).toEqual([]);
  const compiled = compilePolicies(parsed.policies);
  expect(compiled.issues).toEqual([]);

  const ports = checkPorts({
    deployment: { profile: "open-inference-v2", defaultModel: "fraud-detector", environment: "test" },
    sources: [jwt.source, apiKeySource({ keys: () => keys })],
    policies: () => compiled.index,
    limiter: new LocalLimiter({ now: Date.now }),
    sanctions: false,
    now: Date.now,
    newId: randomUUID,
  });
  server = await startAuthzServer({
    tcp: "127.0.0.1:0",
    uds: undefined,
    maxInFlight: 100,
    maxReceiveBytes: 4 * 1024 * 1024,
    service: plainDecisionService({
      decide: (request) => decide(request, ports),
      onDecision: (decision) => void decisions.push(decision),
      onError: (error) => void errors.push(error),
    }),
  });
  client = connectAuthz(`127.0.0.1:${server.tcpPort}`);
});

afterAll(async () => {
  expect(errors).toEqual([]);
  client.close();
  await server.shutdown(1000);
  jwt.stop();
  await idp.close();
});

function predict(headers: Record<string, string>): Promise<CheckResponse> {
  return client.check(buildCheckRequest({ method: "POST", path: "/v2/models/fraud-detector/infer", host: "models.local", headers }));
}

async function token(claims: Record<string, unknown>): Promise<string> {
  return idp.sign(idp.claims(Date.now(), claims), signer);
}

describe("one policy, two identity sources, through the gRPC server", () => {
  it("allows team data_science by JWT", async () => {
    const response = await predict({ authorization: `Bearer ${await token({ sub: "dana@example.com", ext: { team: "data_science" } })}` });
    expect(response.status?.code).toBe(0);
    const upstream = headerMap(response.ok_response?.headers);
    expect(upstream.get("x-modelgate-auth-method")).toBe("jwt");
    expect(upstream.get("x-modelgate-subject")).toBe("dana@example.com");
    expect(response.ok_response?.headers_to_remove).toEqual(["authorization", "x-api-key"]);
    expect(decisions.at(-1)).toMatchObject({
      allowed: true,
      identitySource: "jwt",
      identity: { method: "jwt", issuer: idp.issuer, keyId: signer.kid },
    });
  });

  it("allows the same team by API key under the same rule", async () => {
    const response = await predict({ "x-api-key": apiKey });
    expect(response.status?.code).toBe(0);
    expect(headerMap(response.ok_response?.headers).get("x-modelgate-auth-method")).toBe("apikey");
    expect(decisions.at(-1)).toMatchObject({ allowed: true, identitySource: "apikey", policy: { rule: "data-science-predict" } });
    const byJwt = decisions.find((d) => d.identitySource === "jwt");
    expect(byJwt?.policy).toEqual(decisions.at(-1)?.policy);
  });

  it("denies another team's JWT with 403", async () => {
    const response = await predict({ authorization: `Bearer ${await token({ ext: { team: "analytics" } })}` });
    expect(response.status?.code).toBe(7);
    expect(JSON.parse(response.denied_response?.body ?? "{}").reason).toBe("policy_no_match");
  });

  it("denies a wrong-audience token with 401 and a Bearer invalid_token challenge", async () => {
    const response = await predict({ authorization: `Bearer ${await token({ aud: "billing-service", ext: { team: "data_science" } })}` });
    expect(response.status?.code).toBe(16);
    expect(response.denied_response?.status?.code).toBe("Unauthorized");
    const headers = headerMap(response.denied_response?.headers);
    expect(headers.get("www-authenticate")).toMatch(
      /^Bearer realm="modelgate", error="invalid_token", error_description="jwt_audience_invalid"/,
    );
    const body = JSON.parse(response.denied_response?.body ?? "{}");
    expect(body).toMatchObject({ status: 401, reason: "jwt_audience_invalid" });
    expect(JSON.stringify(body)).not.toContain("billing-service");
  });

  it("challenges a request without credentials with both schemes", async () => {
    const response = await predict({});
    expect(response.status?.code).toBe(16);
    expect(headerMap(response.denied_response?.headers).get("www-authenticate")).toBe('Bearer realm="modelgate", ApiKey realm="modelgate"');
  });
});
