import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { GCProfiler, getHeapStatistics } from "node:v8";
import { Registry } from "prom-client";
import { startRedis } from "../test/integration/helpers/redis-server.ts";
import { median } from "./stats.ts";

// Where the Redis limiter's client-side cost goes, in process: CPU µs and V8 heap bytes per
// charge through three layers of one or more trees, against one local redis-server:
//   step    the whole limiter step (ResilientLimiter: deny cache, breaker, deadline, metrics)
//   redis   RedisLimiter.tryCharge alone (planning, encoding, ioredis, decoding, settling)
//   evalsha the connection's own script command with pre-encoded arguments (ioredis alone)
// Callers run back to back at a fixed concurrency (auto-pipelining batches them as the server
// does under load); rounds alternate between the trees so load on a shared machine hits both.
// Bytes: growth of the used heap plus what every GC in between freed (v8.GCProfiler).
// Usage: node bench/redis-limiter-cost.ts [charges per round, default 40000] [rounds, default 5]
//        [concurrency, default 32] [tree …, default this tree]   (tree: a checkout's root)

const calls = Number(process.argv[2] ?? 40_000);
const rounds = Number(process.argv[3] ?? 5);
const callers = Number(process.argv[4] ?? 32);
const trees = process.argv.length > 5 ? process.argv.slice(5) : [resolve(import.meta.dirname, "..")];
const IDENTITIES = 1000;

type Op = (n: number) => Promise<unknown>;
interface Figures {
  readonly micros: number;
  readonly bytes: number;
}

const limits = [
  { name: "burst", requests: 1e9, periodMs: 1_000, burst: 1e9, by: { kind: "identity" } },
  { name: "minute", requests: 1e9, periodMs: 60_000, burst: 1e9, by: { kind: "identity" } },
  { name: "hour", requests: 1e9, periodMs: 3_600_000, burst: 1e9, by: { kind: "identity" } },
] as const;

// The realistic request of limiter-bench.ts: three limits and a penalty box, one of 1,000 callers.
const requests = Array.from({ length: IDENTITIES }, (_, i) => ({
  charges: limits.map((limit) => ({ key: `mg:rl:{bench-${i}}:${limit.name}`, limit })),
  cost: 1,
  failClosed: false,
  penaltyBox: { key: `mg:pb:{bench-${i}}:policy`, spec: { violations: 10, withinMs: 60_000, blockMs: 60_000, maxBlockMs: 3_600_000 } },
}));

async function round(op: Op, n: number): Promise<Figures> {
  const profiler = new GCProfiler();
  const heapBefore = getHeapStatistics().used_heap_size;
  const cpuBefore = process.cpuUsage();
  profiler.start();
  let next = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < n) await op(next++);
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  const heapAfter = getHeapStatistics().used_heap_size;
  const freed = (profiler.stop()?.statistics ?? []).reduce(
    (sum, gc) => sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize,
    0,
  );
  return { micros: (cpu.user + cpu.system) / n, bytes: (heapAfter - heapBefore + freed) / n };
}

async function opsOf(tree: string, url: string): Promise<{ ops: Record<string, Op>; close: () => Promise<void> }> {
  const load = (p: string) => import(pathToFileURL(resolve(tree, p)).href);
  const { parseRedisLimiterConfig } = await load("src/config/parse-redis-limiter.ts");
  const { createRedisLimiter } = await load("src/wiring/create-redis-limiter.ts");
  const { RedisLimiter } = await load("src/adapters/limiter/redis-limiter.ts");
  const { encodeCall } = await load("src/adapters/limiter/limiter-script-codec.ts");
  const config = parseRedisLimiterConfig({ url, deadline: "1s" }, "bench");
  if (!config.ok) throw new Error(JSON.stringify(config.error));
  const handle = createRedisLimiter(config.value, { registry: new Registry() });
  if (!(await handle.ready(5000))) throw new Error("Redis not ready");
  const redis = new RedisLimiter(handle.connection);
  const encoded = requests.map((r) => encodeCall("charge", r.charges, r.cost, { box: r.penaltyBox }));
  const pick = <T>(xs: readonly T[], n: number): T => xs[n % IDENTITIES] as T;
  const check = (kind: string) => {
    if (kind !== "allowed") throw new Error(`bench charge not allowed: ${kind}`);
  };
  return {
    ops: {
      step: async (n) => check((await handle.limiter.charge(pick(requests, n))).kind),
      redis: async (n) => {
        const r = await redis.tryCharge(pick(requests, n));
        if (!r.ok) throw new Error(r.error);
      },
      evalsha: (n) => handle.connection.run(pick(encoded, n)),
    },
    close: () => handle.close(),
  };
}

async function main(): Promise<void> {
  const redis = await startRedis();
  try {
    const subjects = await Promise.all(trees.map((t) => opsOf(t, redis.url)));
    const layers = ["step", "redis", "evalsha"];
    const figures = new Map<string, Figures[]>();
    for (const s of subjects) for (const layer of layers) await round(s.ops[layer] as Op, calls / 4); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const layer of layers) {
        for (const [t, s] of subjects.entries()) {
          const key = `${t}:${layer}`;
          figures.set(key, [...(figures.get(key) ?? []), await round(s.ops[layer] as Op, calls)]);
        }
      }
    }
    const lines = [`node ${process.version}; ${calls} charges per round, ${callers} callers, median of ${rounds} rounds`];
    for (const [t, tree] of trees.entries()) {
      for (const layer of layers) {
        const f = figures.get(`${t}:${layer}`) ?? [];
        const micros = median(f.map((x) => x.micros))
          .toFixed(2)
          .padStart(7);
        const bytes = median(f.map((x) => x.bytes))
          .toFixed(0)
          .padStart(6);
        lines.push(`${tree.padEnd(28)} ${layer.padEnd(8)} ${micros} µs CPU ${bytes} B heap per charge`);
      }
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    await Promise.all(subjects.map((s) => s.close()));
  } finally {
    await redis.stop();
  }
}

await main();
