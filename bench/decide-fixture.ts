import { randomBytes } from "node:crypto";
import { buildCheckRequest } from "../src/adapters/grpc/build-check-request.ts";
import { LocalLimiter } from "../src/adapters/limiter/local-limiter.ts";
import type { decide } from "../src/core/decide.ts";
import { mintApiKey } from "../src/core/identity/api-key-format.ts";
import { recordForKey } from "../src/core/identity/api-key-record.ts";
import { apiKeySource } from "../src/core/identity/api-key-source.ts";
import { buildKeyIndex } from "../src/core/identity/key-store.ts";
import { memoizedDigest } from "../src/core/limit/key-digest.ts";
import { compilePolicies } from "../src/core/policy/compile.ts";
import { parsePolicyYaml } from "../src/core/policy/load-yaml.ts";

// The request and ports decide-bench.ts and decide-alloc.ts decide, as the server runs them: an
// API key, a policy with three limits (identity, identity+model, an org cap), a penalty box and
// anomaly sanctions on, the in-process limiter, memoized limiter-key digests.

const POLICY = `
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: bench, namespace: default }
spec:
  models: ["fraud-detector"]
  penaltyBox: { violations: 10, within: 1m, block: 1m }
  limits: [{ name: org-day, requests: 1000000000, per: 1d, by: "attribute:org" }]
  rules:
    - name: predict
      effect: Allow
      subjects: [{ attributes: { team: data_science } }]
      actions: [predict]
      limits:
        - { name: minute, requests: 1000000000, per: 1m }
        - { name: model-hour, requests: 1000000000, per: 1h, by: "identity+model" }
`;

export type Ports = Parameters<typeof decide>[1];
type Parts = Omit<Ports, "credentialHeaders" | "missingCredentialChallenge" | "chargePlans">;

// Trees before check-ports.ts took the parts as they are; this file runs in either.
async function portsBuilder(): Promise<(parts: Parts) => Ports> {
  try {
    return (await import("../src/core/check-ports.ts")).checkPorts;
  } catch {
    return (parts) => parts as unknown as Ports;
  }
}

export async function decideFixture(): Promise<{ request: unknown; ports: Ports }> {
  const parsed = parsePolicyYaml(POLICY, "bench.yaml");
  if (parsed.issues.length > 0) throw new Error(JSON.stringify(parsed.issues));
  const index = compilePolicies(parsed.policies).index;
  const { key } = mintApiKey((n) => new Uint8Array(randomBytes(n)));
  const record = recordForKey(key, { subject: "bench@example.com", attributes: { team: "data_science", org: "acme" } }, Date.now());
  if (!record.ok) throw new Error("cannot build the bench key record");
  const keys = buildKeyIndex([record.value]).index;
  const request = buildCheckRequest({ method: "POST", path: "/v2/models/fraud-detector/infer", headers: { "x-api-key": key } });
  let n = 0;
  const ports = (await portsBuilder())({
    deployment: { profile: "open-inference-v2", defaultModel: "fraud-detector", environment: "" },
    sources: [apiKeySource({ keys: () => keys })],
    policies: () => index,
    limiter: new LocalLimiter({ now: Date.now }),
    sanctions: true,
    keyDigest: memoizedDigest(8192),
    now: Date.now,
    newId: () => `d-${++n}`,
  });
  return { request, ports };
}
