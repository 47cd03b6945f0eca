import type { Decision } from "../src/core/decision.ts";
import type { NormalizedRequest } from "../src/core/request/normalized-request.ts";

// The decision of check-bench's request (bench/check-fixture.ts: allowed, API key, one policy
// rule, one local limit), numbered so every record differs, for the audit benches.

function requestFor(i: number): NormalizedRequest {
  const id = `5f1d7c1e-8a4b-4c55-9d0e-${String(i).padStart(12, "0")}`;
  return {
    id,
    method: "POST",
    path: "/v2/models/fraud-detector/infer",
    rawPath: "/v2/models/fraud-detector/infer",
    query: new Map(),
    host: "models.example.com",
    scheme: "https",
    protocol: "HTTP/1.1",
    headers: new Map(),
    peer: { address: "10.0.0.7", principal: "", certificate: "" },
    body: undefined,
    contextExtensions: new Map(),
    receivedAt: Date.now(),
  };
}

export function decisionFor(i: number): Decision {
  const request = requestFor(i);
  return {
    id: `3f1d7c1e-8a4b-4c55-9d0e-${String(i).padStart(12, "0")}`,
    requestId: request.id,
    request,
    decidedAt: Date.now(),
    identity: {
      method: "apikey",
      subject: "bench@example.com",
      issuer: "keys",
      keyId: "mgk_2Xq81bT0",
      groups: [],
      attributes: { team: "data_science", org: "acme" },
    },
    identitySource: "apikey",
    target: { model: "fraud-detector", version: "", action: "predict", source: "profile" },
    policy: { namespace: "default", name: "bench", generation: 1, rule: "predict" },
    rateLimit: {
      mode: "local",
      states: [{ name: "minute", quota: 1_000_000_000, windowSeconds: 60, remaining: 999_999_999, resetSeconds: 0 }],
      violated: [],
      retryAfterSeconds: 0,
    },
    allowed: true,
    reason: "allowed",
    credentialHeaders: ["x-api-key"],
  };
}
