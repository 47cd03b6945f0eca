import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import { GCProfiler, getHeapStatistics } from "node:v8";
import { buildCheckRequest } from "../src/adapters/grpc/build-check-request.ts";
import { LocalLimiter } from "../src/adapters/limiter/local-limiter.ts";
import { decide } from "../src/core/decide.ts";
import { mintApiKey } from "../src/core/identity/api-key-format.ts";
import { recordForKey } from "../src/core/identity/api-key-record.ts";
import { apiKeySource } from "../src/core/identity/api-key-source.ts";
import { buildKeyIndex } from "../src/core/identity/key-store.ts";
import { memoizedDigest } from "../src/core/limit/key-digest.ts";
import { compilePolicies } from "../src/core/policy/compile.ts";
import { parsePolicyYaml } from "../src/core/policy/load-yaml.ts";

// decide() in-process, without gRPC, as the server runs it: an API key, a policy with three
// limits (identity, identity+model, an org cap), a penalty box and anomaly sanctions on, the
// in-process limiter, memoized limiter-key digests. Prints CPU µs and V8 heap bytes allocated per
// call (bytes: the growth of the used heap plus what every GC in between freed, from
// v8.GCProfiler), medians over the rounds.
// A decision that comes back as a promise is awaited, as the server does.
// To compare two trees, copy this file into both and run it in each, alternating:
//   for i in 1 2 3; do node A/bench/decide-bench.ts; node B/bench/decide-bench.ts; done
// Usage: node bench/decide-bench.ts [calls per round, default 50000] [rounds, default 5]

const calls = Number(process.argv[2] ?? 50_000);
const rounds = Number(process.argv[3] ?? 5);

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

type Ports = Parameters<typeof decide>[1];
type Parts = Omit<Ports, "credentialHeaders" | "missingCredentialChallenge">;

// Trees before check-ports.ts took the parts as they are; this file runs in either.
async function portsBuilder(): Promise<(parts: Parts) => Ports> {
  try {
    return (await import("../src/core/check-ports.ts")).checkPorts;
  } catch {
    return (parts) => ({ credentialHeaders: [], missingCredentialChallenge: "", ...parts });
  }
}

async function setup(): Promise<{ request: unknown; ports: Ports }> {
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

interface Figures {
  readonly micros: number;
  readonly bytes: number;
}

async function round(request: unknown, ports: Ports, n: number): Promise<Figures> {
  const profiler = new GCProfiler();
  const heapBefore = getHeapStatistics().used_heap_size;
  const cpuBefore = process.cpuUsage();
  profiler.start();
  for (let i = 0; i < n; i++) {
    const decided = decide(request, ports);
    const decision = decided instanceof Promise ? await decided : decided;
    if (!decision.allowed) throw new Error(`bench request denied: ${decision.reason}`);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const heapAfter = getHeapStatistics().used_heap_size;
  const freed = (profiler.stop()?.statistics ?? []).reduce(
    (sum, gc) => sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize,
    0,
  );
  return { micros: (cpu.user + cpu.system) / n, bytes: (heapAfter - heapBefore + freed) / n };
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const { request, ports } = await setup();
await round(request, ports, calls); // warm-up
const figures: Figures[] = [];
for (let r = 0; r < rounds; r++) figures.push(await round(request, ports, calls));
process.stdout.write(
  [
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}; ${calls} calls per round, median of ${rounds}`,
    `decide(): ${median(figures.map((f) => f.micros)).toFixed(2)} µs CPU, ${median(figures.map((f) => f.bytes)).toFixed(0)} B allocated per call`,
    "",
  ].join("\n"),
);
