import { cpus } from "node:os";
import { execFileSync } from "node:child_process";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { createRedisLimiter } from "../src/wiring/create-redis-limiter.ts";
import { parseRedisLimiterConfig } from "../src/config/parse-redis-limiter.ts";
import type { ChargeRequest, Limiter } from "../src/core/limit/limiter-port.ts";
import type { LimitSpec } from "../src/core/policy/types.ts";
import { startRedis } from "../test/integration/helpers/redis-server.ts";

// The limiter step (deny cache, breaker, deadline, one script call, decoding) against the raw
// cost of one EVALSHA of a trivial script on the same client options, in one run, with 1, 64
// and 256 concurrent callers. Each decision is a realistic request: three limits and a penalty
// box for one of 1,000 callers, mostly allowed.
// Usage: node bench/limiter-bench.ts [seconds per run, default 5] [redis URL, default: a
// redis-server started for the run]
// Closed loop (callers back to back) gives the ceiling; the open-loop rows issue calls at a
// fixed rate, timed from when each was sent, which is the latency a server at that load sees.

const seconds = Number(process.argv[2] ?? 5);
const CONCURRENCY = [1, 64, 256];
const OPEN_LOOP_RATES = [2_000, 8_000];
const IDENTITIES = 1000;

interface Run {
  readonly opsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly cpuMicros: number; // client CPU per operation
}

const limits: LimitSpec[] = [
  { name: "burst", requests: 1_000, periodMs: 1_000, burst: 1_000, by: { kind: "identity" } },
  { name: "minute", requests: 60_000, periodMs: 60_000, burst: 60_000, by: { kind: "identity" } },
  { name: "hour", requests: 1_000_000, periodMs: 3_600_000, burst: 1_000_000, by: { kind: "identity" } },
];

const requests: ChargeRequest[] = Array.from({ length: IDENTITIES }, (_, i) => ({
  charges: limits.map((limit) => ({ key: `mg:rl:{bench-${i}}:${limit.name}`, limit })),
  cost: 1,
  failClosed: false,
  penaltyBox: { key: `mg:pb:{bench-${i}}:policy`, spec: { violations: 10, withinMs: 60_000, blockMs: 60_000, maxBlockMs: 3_600_000 } },
}));

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

// `callers` loops call `op` back to back for `ms`, after a one-second warm-up.
async function measure(op: (n: number) => Promise<unknown>, callers: number, ms: number): Promise<Run> {
  const run = async (until: number, latencies: number[] | undefined) => {
    let n = 0;
    await Promise.all(
      Array.from({ length: callers }, async () => {
        while (performance.now() < until) {
          const start = performance.now();
          await op(n++);
          latencies?.push(performance.now() - start);
        }
      }),
    );
  };
  await run(performance.now() + 1000, undefined);
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run(start + ms, latencies);
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const sorted = Float64Array.from(latencies).sort();
  return {
    opsPerSecond: (latencies.length / elapsed) * 1000,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
    cpuMicros: (used.user + used.system) / latencies.length,
  };
}

// Calls issued at `rate` per second for `ms` (1 ms timer ticks), whatever the answers do.
async function openLoop(op: (n: number) => Promise<unknown>, rate: number, ms: number): Promise<Run> {
  const latencies: number[] = [];
  const pending = new Set<Promise<unknown>>();
  const cpu = process.cpuUsage();
  const start = performance.now();
  let issued = 0;
  while (performance.now() - start < ms) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    for (; issued < due; issued++) {
      const sent = performance.now();
      const call = op(issued).then(() => void latencies.push(performance.now() - sent));
      pending.add(call);
      void call.finally(() => pending.delete(call));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  const used = process.cpuUsage(cpu);
  const sorted = Float64Array.from(latencies).sort();
  return {
    opsPerSecond: (latencies.length / (performance.now() - start)) * 1000,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
    cpuMicros: (used.user + used.system) / latencies.length,
  };
}

function format(r: Run): string {
  const ms = (v: number) => v.toFixed(3).padStart(7);
  return `${r.opsPerSecond.toFixed(0).padStart(7)} ${ms(r.p50)} ${ms(r.p99)} ${ms(r.p999)} ${r.cpuMicros.toFixed(1).padStart(6)}`;
}

async function main(): Promise<void> {
  const own = process.argv[3] === undefined ? await startRedis() : undefined;
  const url = process.argv[3] ?? own?.url ?? "";
  const config = parseRedisLimiterConfig({ url, deadline: "1s" }, "bench");
  if (!config.ok) throw new Error(JSON.stringify(config.error));
  const handle = createRedisLimiter(config.value, { registry: new Registry() });
  // The baseline: the same client options (auto-pipelining, no offline queue), a trivial script.
  const raw = new Redis(url, { enableAutoPipelining: true, enableOfflineQueue: true, maxRetriesPerRequest: 0 });
  const sha = String(await raw.script("LOAD", "return 1"));
  await new Promise((r) => setTimeout(r, 500));
  const limiter: Limiter = handle.limiter;
  const lines = [
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}, ${redisVersion()}; ${seconds}s per run; times in ms, CPU in µs per op`,
    `${"callers".padEnd(8)}| ${"limiter step: ops/s     p50     p99   p99.9    cpu".padEnd(46)}| ${"raw EVALSHA: ops/s     p50     p99   p99.9    cpu".padEnd(46)}| throughput ratio`,
  ];
  for (const callers of CONCURRENCY) {
    const step = await measure((n) => Promise.resolve(limiter.charge(requests[n % IDENTITIES] as ChargeRequest)), callers, seconds * 1000);
    const base = await measure(() => raw.evalsha(sha, 0), callers, seconds * 1000);
    lines.push(
      `${String(callers).padEnd(8)}| ${format(step).padStart(46)}| ${format(base).padStart(46)}| ${((step.opsPerSecond / base.opsPerSecond) * 100).toFixed(1)} % (p50 ×${(step.p50 / base.p50).toFixed(2)})`,
    );
  }
  for (const rate of OPEN_LOOP_RATES) {
    const step = await openLoop((n) => Promise.resolve(limiter.charge(requests[n % IDENTITIES] as ChargeRequest)), rate, seconds * 1000);
    const base = await openLoop(() => raw.evalsha(sha, 0), rate, seconds * 1000);
    lines.push(
      `${`${rate}/s`.padEnd(8)}| ${format(step).padStart(46)}| ${format(base).padStart(46)}| open loop (p50 ×${(step.p50 / base.p50).toFixed(2)})`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  raw.disconnect();
  await handle.close();
  await own?.stop();
}

function redisVersion(): string {
  try {
    return (
      execFileSync("redis-server", ["--version"])
        .toString()
        .split(" ")
        .find((w) => w.startsWith("v="))
        ?.replace("v=", "Redis ") ?? "Redis ?"
    );
  } catch {
    return "Redis ?";
  }
}

await main();
