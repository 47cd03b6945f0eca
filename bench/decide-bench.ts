import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import { buildCheckRequest } from "../src/adapters/grpc/build-check-request.ts";
import { LocalLimiter } from "../src/adapters/limiter/local-limiter.ts";
import { decide, type CheckPorts } from "../src/core/decide.ts";
import { mintApiKey } from "../src/core/identity/api-key-format.ts";
import { recordForKey } from "../src/core/identity/api-key-record.ts";
import { apiKeySource } from "../src/core/identity/api-key-source.ts";
import { buildKeyIndex } from "../src/core/identity/key-store.ts";
import { memoizedDigest } from "../src/core/limit/key-digest.ts";
import { compilePolicies } from "../src/core/policy/compile.ts";
import { parsePolicyYaml } from "../src/core/policy/load-yaml.ts";

// decide() in-process, without gRPC: an API key, a policy with three limits (identity,
// identity+model, an org cap), a penalty box and anomaly sanctions on, the in-process limiter.
// Compares limiter-key digests computed every time (the baseline) with the memoized ones the
// server uses, in the same run, alternating, median of 5 rounds.
// Usage: node bench/decide-bench.ts [calls per round, default 50000]

const calls = Number(process.argv[2] ?? 50_000);

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

function setup(): { request: unknown; ports: (memoized: boolean) => CheckPorts } {
  const parsed = parsePolicyYaml(POLICY, "bench.yaml");
  if (parsed.issues.length > 0) throw new Error(JSON.stringify(parsed.issues));
  const index = compilePolicies(parsed.policies).index;
  const { key } = mintApiKey((n) => new Uint8Array(randomBytes(n)));
  const record = recordForKey(key, { subject: "bench@example.com", attributes: { team: "data_science", org: "acme" } }, Date.now());
  if (!record.ok) throw new Error("cannot build the bench key record");
  const keys = buildKeyIndex([record.value]).index;
  const request = buildCheckRequest({ method: "POST", path: "/v2/models/fraud-detector/infer", headers: { "x-api-key": key } });
  const ports = (memoized: boolean): CheckPorts => {
    let n = 0;
    return {
      deployment: { profile: "open-inference-v2", defaultModel: "fraud-detector", environment: "" },
      sources: [apiKeySource({ keys: () => keys })],
      policies: () => index,
      limiter: new LocalLimiter({ now: Date.now }),
      sanctions: true,
      ...(memoized ? { keyDigest: memoizedDigest(8192) } : {}),
      now: Date.now,
      newId: () => `d-${++n}`,
    };
  };
  return { request, ports };
}

async function microsPerCall(request: unknown, ports: CheckPorts, n: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const decision = await decide(request, ports);
    if (!decision.allowed) throw new Error(`bench request denied: ${decision.reason}`);
  }
  return ((performance.now() - started) * 1000) / n;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const { request, ports } = setup();
const baseline = ports(false);
const memoized = ports(true);
await microsPerCall(request, baseline, calls / 2); // warm-up
await microsPerCall(request, memoized, calls / 2);
const rounds: [number, number][] = [];
for (let r = 0; r < 5; r++) rounds.push([await microsPerCall(request, baseline, calls), await microsPerCall(request, memoized, calls)]);
const [plain, memo] = [median(rounds.map((r) => r[0])), median(rounds.map((r) => r[1]))];
process.stdout.write(
  [
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}; ${calls} calls per round, median of 5`,
    `decide(), key digests every time: ${plain.toFixed(2)} µs per call`,
    `decide(), memoized key digests:   ${memo.toFixed(2)} µs per call (${((memo / plain) * 100).toFixed(0)} % of the baseline)`,
    "",
  ].join("\n"),
);
