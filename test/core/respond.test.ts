import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Decision, DecisionFacts, RateLimitOutcome } from "../../src/core/decision.ts";
import type { Identity } from "../../src/core/identity/identity.ts";
import type { LimitState } from "../../src/core/limit/limiter-port.ts";
import { REASON_CODES, REASONS, type DenyReason } from "../../src/core/reason.ts";
import {
  IDENTITY_HEADERS,
  respond,
  type AllowResponse,
  type AuthzResponse,
  type DenyResponse,
  type HeaderPair,
} from "../../src/core/respond.ts";
import { param, parseSfList } from "./limit/structured-field.ts";

const ALICE: Identity = {
  method: "apikey",
  subject: "alice@example.com",
  issuer: "keys",
  keyId: "k3v7q2m4x6ab",
  groups: ["ml-users"],
  attributes: { org: "acme", team: "data_science" },
};

const POLICY = { namespace: "ml-prod", name: "secret-policy-name", generation: 4, rule: "secret-rule-name" };

function facts(overrides: Partial<DecisionFacts> = {}): DecisionFacts {
  return {
    id: "d-0001",
    requestId: "r-1",
    request: undefined,
    decidedAt: 1_764_000_000_000,
    identity: ALICE,
    identitySource: "apikey",
    target: { model: "fraud-detector", version: "", action: "predict", source: "profile" },
    policy: POLICY,
    rateLimit: undefined,
    ...overrides,
  };
}

function allow(overrides: Partial<DecisionFacts> = {}, credentialHeaders: readonly string[] = ["x-api-key"]): Decision {
  return { ...facts(overrides), allowed: true, reason: "allowed", credentialHeaders };
}

function deny(reason: DenyReason, overrides: Partial<DecisionFacts> = {}, detail = "some detail", challenge?: string): Decision {
  return { ...facts(overrides), allowed: false, reason, detail, challenge };
}

function asDeny(r: AuthzResponse): DenyResponse {
  if (r.allowed) throw new Error("expected a denial");
  return r;
}

function asAllow(r: AuthzResponse): AllowResponse {
  if (!r.allowed) throw new Error("expected an allow");
  return r;
}

function header(headers: readonly HeaderPair[], name: string): string | undefined {
  const found = headers.filter(([k]) => k === name);
  if (found.length > 1) throw new Error(`${name} appears ${found.length} times`);
  return found[0]?.[1];
}

function allHeaders(r: AuthzResponse): HeaderPair[] {
  return r.allowed ? [...r.upstreamHeaders, ...r.responseHeaders] : [...r.headers];
}

const minute: LimitState = { name: "minute", quota: 120, windowSeconds: 60, remaining: 0, resetSeconds: 0.4 };
const burst: LimitState = { name: "burst", quota: 20, windowSeconds: 1, remaining: 7, resetSeconds: 0.65 };
const hour: LimitState = { name: "hour", quota: 5000, windowSeconds: 3600, remaining: 0, resetSeconds: 41.2 };

function limited(states: LimitState[], violated: string[], retryAfterSeconds: number): RateLimitOutcome {
  return { mode: "local", states, violated, retryAfterSeconds };
}

describe("respond: status mapping", () => {
  const GRPC_FOR_HTTP: Record<number, number> = { 400: 3, 401: 16, 403: 7, 413: 3, 429: 8, 503: 14 };
  const denyReasons = REASON_CODES.filter((r): r is DenyReason => r !== "allowed");

  it("every deny reason maps to one of the documented HTTP statuses", () => {
    expect(denyReasons.length).toBeGreaterThan(20);
    for (const reason of denyReasons) expect(Object.keys(GRPC_FOR_HTTP).map(Number), reason).toContain(REASONS[reason].status);
  });

  it.each(denyReasons.map((r) => [r, REASONS[r].status, GRPC_FOR_HTTP[REASONS[r].status]] as const))(
    "%s → HTTP %i, gRPC %i",
    (reason, http, grpc) => {
      const r = asDeny(respond(deny(reason)));
      expect(r.httpStatus).toBe(http);
      expect(r.grpcCode).toBe(grpc);
    },
  );

  it.each<[DenyReason, number, number]>([
    ["request_malformed", 400, 3],
    ["credential_missing", 401, 16],
    ["api_key_unknown", 401, 16],
    ["policy_no_match", 403, 7],
    ["policy_denied", 403, 7],
    ["rate_limited", 429, 8],
    ["limiter_unavailable", 503, 14],
    ["deadline_exceeded", 503, 14],
    ["overloaded", 503, 14],
    ["not_ready", 503, 14],
    ["internal_error", 503, 14],
  ])("README table: %s → %i / %i", (reason, http, grpc) => {
    const r = asDeny(respond(deny(reason)));
    expect([r.httpStatus, r.grpcCode]).toEqual([http, grpc]);
  });
});

describe("respond: denials", () => {
  it("carries problem+json and the decision id on every denial", () => {
    for (const reason of REASON_CODES.filter((r): r is DenyReason => r !== "allowed")) {
      const r = asDeny(respond(deny(reason)));
      expect(header(r.headers, "content-type")).toBe("application/problem+json");
      expect(header(r.headers, "x-modelgate-decision-id")).toBe("d-0001");
    }
  });

  it("the body is the README's problem document", () => {
    const r = asDeny(respond(deny("policy_no_match", {}, 'no rule allows predict on model "fraud-detector"')));
    expect(JSON.parse(r.body)).toEqual({
      type: "https://modelgate.io/problems/policy-no-match",
      title: "No rule allows this request",
      status: 403,
      detail: 'no rule allows predict on model "fraud-detector"',
      reason: "policy_no_match",
      decision_id: "d-0001",
    });
  });

  it("the body stays valid JSON whatever the detail holds", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REASON_CODES.filter((r): r is DenyReason => r !== "allowed")),
        fc.string({ unit: "binary" }),
        fc.string(),
        (reason, detail, id) => {
          const r = asDeny(respond(deny(reason, { id }, detail)));
          const body = JSON.parse(r.body) as Record<string, unknown>;
          expect(Object.keys(body).sort()).toEqual(["decision_id", "detail", "reason", "status", "title", "type"]);
          expect(body["detail"]).toBe(detail);
          expect(body["status"]).toBe(r.httpStatus);
          expect(body["reason"]).toBe(reason);
          expect(body["title"]).toBe(REASONS[reason].title);
          expect(body["type"]).toBe(`https://modelgate.io/problems/${reason.replaceAll("_", "-")}`);
          expect(body["decision_id"]).toBe(id);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each<[string, DenyReason, string | undefined, string | undefined]>([
    ["a 401 with a challenge", "credential_missing", 'ApiKey realm="modelgate"', 'ApiKey realm="modelgate"'],
    [
      "a 401 for an invalid key",
      "api_key_unknown",
      'ApiKey realm="modelgate", error="invalid_token", error_description="api_key_unknown"',
      'ApiKey realm="modelgate", error="invalid_token", error_description="api_key_unknown"',
    ],
    ["a 401 without a challenge", "credential_missing", undefined, undefined],
    ["a 401 with an empty challenge", "credential_missing", "", undefined],
    ["a 401 with a blank challenge", "credential_missing", "   ", undefined],
    ["a 403 even with a challenge", "policy_no_match", 'ApiKey realm="modelgate"', undefined],
    ["a 503 even with a challenge", "internal_error", 'ApiKey realm="modelgate"', undefined],
  ])("www-authenticate: %s", (_name, reason, challenge, expected) => {
    const r = asDeny(respond(deny(reason, {}, "d", challenge)));
    expect(header(r.headers, "www-authenticate")).toBe(expected);
  });

  it("a 429 lists only the violated limits in RateLimit, and every limit in RateLimit-Policy", () => {
    const r = asDeny(respond(deny("rate_limited", { rateLimit: limited([burst, minute, hour], ["minute", "hour"], 41.2) })));
    expect(r.httpStatus).toBe(429);
    const policy = parseSfList(header(r.headers, "ratelimit-policy")!);
    expect(policy.map((i) => i.value.value)).toEqual(["burst", "minute", "hour"]);
    expect(policy.map((i) => [param(i, "q")?.value, param(i, "w")?.value])).toEqual([
      [20, 1],
      [120, 60],
      [5000, 3600],
    ]);
    const limit = parseSfList(header(r.headers, "ratelimit")!);
    expect(limit.map((i) => [i.value.value, param(i, "r")?.value, param(i, "t")?.value])).toEqual([
      ["minute", 0, 1],
      ["hour", 0, 42],
    ]);
    expect(header(r.headers, "retry-after")).toBe("42");
  });

  it("a 429's Retry-After is never earlier than a violated t, nor than the limiter's retry-after, and at least 1", () => {
    const quick = { ...minute, resetSeconds: 0.01 };
    expect(header(asDeny(respond(deny("rate_limited", { rateLimit: limited([quick], ["minute"], 0.01) }))).headers, "retry-after")).toBe(
      "1",
    );
    expect(header(asDeny(respond(deny("rate_limited", { rateLimit: limited([quick], ["minute"], 9.5) }))).headers, "retry-after")).toBe(
      "10",
    );
    expect(header(asDeny(respond(deny("rate_limited", { rateLimit: limited([hour], ["hour"], 3) }))).headers, "retry-after")).toBe("42");
  });

  it("a 429 without limiter facts (e.g. the penalty box) still has Retry-After and no RateLimit fields", () => {
    const r = asDeny(respond(deny("rate_limited")));
    expect(header(r.headers, "retry-after")).toBe("1");
    expect(header(r.headers, "ratelimit")).toBeUndefined();
    expect(header(r.headers, "ratelimit-policy")).toBeUndefined();
  });

  it("non-429 denials carry no rate-limit headers even when the limiter ran", () => {
    const r = asDeny(respond(deny("limiter_unavailable", { rateLimit: limited([minute], ["minute"], 5) })));
    expect(r.headers.map(([k]) => k).sort()).toEqual(["content-type", "x-modelgate-decision-id"]);
  });
});

describe("respond: allow", () => {
  it("sets the three identity headers for the upstream and removes the credential", () => {
    const r = asAllow(respond(allow({}, ["x-api-key", "authorization"])));
    expect(r.upstreamHeaders).toEqual([
      ["x-modelgate-subject", "alice@example.com"],
      ["x-modelgate-auth-method", "apikey"],
      ["x-modelgate-decision-id", "d-0001"],
    ]);
    expect(r.upstreamHeaders.map(([k]) => k)).toEqual([...IDENTITY_HEADERS]);
    expect(r.upstreamHeadersToRemove).toEqual(["x-api-key", "authorization"]);
    expect(r.responseHeaders).toEqual([]);
  });

  it("anonymous: an empty subject and method anonymous, still all three headers", () => {
    const r = asAllow(respond(allow({ identity: undefined }, [])));
    expect(r.upstreamHeaders).toEqual([
      ["x-modelgate-subject", ""],
      ["x-modelgate-auth-method", "anonymous"],
      ["x-modelgate-decision-id", "d-0001"],
    ]);
    expect(r.upstreamHeadersToRemove).toEqual([]);
  });

  it("adds RateLimit-Policy and RateLimit for every limit to the client's response", () => {
    const states = [{ ...minute, remaining: 4, resetSeconds: 12 }, burst];
    const r = asAllow(respond(allow({ rateLimit: { mode: "local", states, violated: [], retryAfterSeconds: 0 } })));
    expect(r.responseHeaders).toEqual([
      ["ratelimit-policy", '"minute";q=120;w=60, "burst";q=20;w=1'],
      ["ratelimit", '"minute";r=4;t=12, "burst";r=7;t=1'],
    ]);
  });

  it("no limits, no rate-limit headers", () => {
    const r = asAllow(respond(allow({ rateLimit: { mode: "local", states: [], violated: [], retryAfterSeconds: 0 } })));
    expect(r.responseHeaders).toEqual([]);
  });
});

describe("respond: header values are always safe", () => {
  const hostile = fc.oneof(
    fc.string({ unit: "binary", maxLength: 300 }),
    fc.constantFrom("alice\r\nx-admin: true", "a\0b", "\n", "\r", "evil\u2028line", "   ", "x".repeat(2000) + "\r\n"),
  );
  const UNSAFE = /[\u0000-\u001f\u007f]/;

  it("no produced header value contains CR, LF, NUL or another control character", () => {
    fc.assert(
      fc.property(
        hostile,
        hostile,
        hostile,
        fc.constantFrom(...REASON_CODES.filter((r): r is DenyReason => r !== "allowed")),
        fc.boolean(),
        (subject, challenge, id, reason, allowed) => {
          const identity = { ...ALICE, subject };
          const rl = limited([minute, hour], ["hour"], 3);
          const decision = allowed
            ? allow({ identity, id, rateLimit: rl })
            : deny(reason, { identity, id, rateLimit: rl }, "detail\r\nwith\0controls", challenge);
          for (const [name, value] of allHeaders(respond(decision))) {
            expect(value, name).not.toMatch(UNSAFE);
            expect(name).toMatch(/^[a-z0-9-]+$/);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("a subject with CRLF is neutralised, not dropped", () => {
    const r = asAllow(respond(allow({ identity: { ...ALICE, subject: "alice\r\nx-admin: true" } })));
    expect(header(r.upstreamHeaders, "x-modelgate-subject")).toBe("alice\ufffd\ufffdx-admin: true");
  });
});
