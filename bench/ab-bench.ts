import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { redisCpuMicros } from "./bench-redis.ts";
import { benchFixture, checkRequest } from "./check-fixture.ts";
import { runGhz, saturation, WARM_UP_SECONDS } from "./ghz.ts";
import { corePinning } from "./core-pinning.ts";
import { imageNodeFlags } from "./image-node-flags.ts";
import { spawnServer } from "./spawn-server.ts";
import { median } from "./stats.ts";

// Two trees of modelgate (e.g. an exported earlier commit and this one) saturated in alternating
// rounds A/B/A/B on the same fixture: a change's effect measured on a machine shared with other
// work, where only figures taken side by side compare. Prints rps, the server's CPU µs and V8
// heap bytes allocated per decision, medians over the rounds.
// Usage: node bench/ab-bench.ts <tree A> <tree B> [rounds, default 4] [seconds, default 8] [redis URL]
// With a Redis URL both trees use the Redis limiter there instead of the in-process one, and the
// Redis server's own CPU per decision is printed too (it must be local: read with redis-cli).

const [treeA, treeB] = [resolve(process.argv[2] ?? "."), resolve(process.argv[3] ?? ".")];
const rounds = Number(process.argv[4] ?? 4);
const seconds = Number(process.argv[5] ?? 8);
const redisUrl = process.argv[6];
const prefix = corePinning();

interface Figures {
  readonly rps: number;
  readonly cpu: number;
  readonly alloc: number;
  readonly redisCpu: number; // NaN without a Redis URL
}

async function saturate(tree: string, config: string, data: unknown): Promise<Figures> {
  const server = await spawnServer([...imageNodeFlags(tree), join(tree, "src/cli/modelgate.ts"), "serve", "--config", config], {
    gcTrace: true,
    prefix: prefix.server,
  });
  try {
    const target = `127.0.0.1:${server.port}`;
    await runGhz(target, data, saturation(WARM_UP_SECONDS), prefix.ghz);
    const redisCpu = () => (redisUrl === undefined ? Number.NaN : redisCpuMicros(redisUrl));
    const [cpu0, alloc0, redis0] = [server.cpuMicros() ?? Number.NaN, server.allocatedBytes() ?? Number.NaN, redisCpu()];
    const r = await runGhz(target, data, saturation(seconds), prefix.ghz);
    const redis1 = redisCpu();
    return {
      rps: r.rps,
      cpu: ((server.cpuMicros() ?? Number.NaN) - cpu0) / r.count,
      alloc: ((server.allocatedBytes() ?? Number.NaN) - alloc0) / r.count,
      redisCpu: (redis1 - redis0) / r.count,
    };
  } finally {
    await server.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), "modelgate-ab-"));
try {
  const fixture = benchFixture(dir);
  const config = fixture.configFor(redisUrl);
  const data = checkRequest(fixture.key);
  const a: Figures[] = [];
  const b: Figures[] = [];
  for (let i = 0; i < rounds; i += 1) {
    a.push(await saturate(treeA, config, data));
    b.push(await saturate(treeB, config, data));
    const [x, y] = [a.at(-1) as Figures, b.at(-1) as Figures];
    const redis = (f: Figures) => (redisUrl === undefined ? "" : ` Redis ${f.redisCpu.toFixed(1)} µs`);
    process.stdout.write(
      `round ${i + 1}: A ${x.rps.toFixed(0)} rps ${x.cpu.toFixed(0)} µs ${x.alloc.toFixed(0)} B${redis(x)} | B ${y.rps.toFixed(0)} rps ${y.cpu.toFixed(0)} µs ${y.alloc.toFixed(0)} B${redis(y)}\n`,
    );
  }
  const m = (all: Figures[], pick: (f: Figures) => number) => median(all.map(pick));
  const redisPart = (all: Figures[]) => (redisUrl === undefined ? "" : `, Redis ${m(all, (f) => f.redisCpu).toFixed(1)} µs CPU`);
  const line = (name: string, all: Figures[]) =>
    `${name}: ${m(all, (f) => f.rps).toFixed(0)} rps, ${m(all, (f) => f.cpu).toFixed(0)} µs CPU, ${m(all, (f) => f.alloc).toFixed(0)} B allocated per decision${redisPart(all)}`;
  const ratios = a.map((x, i) => (b[i] as Figures).rps / x.rps);
  process.stdout.write(
    `${line("A", a)}\n${line("B", b)}\nB/A throughput, median of the rounds' ratios: ${(median(ratios) * 100).toFixed(0)} %\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
