import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBenchRedis } from "./bench-redis.ts";
import { benchFixture, checkRequest } from "./check-fixture.ts";
import { corePinning } from "./core-pinning.ts";
import { runGhz, saturation, WARM_UP_SECONDS } from "./ghz.ts";
import { imageNodeFlags } from "./image-node-flags.ts";
import { spawnServer } from "./spawn-server.ts";
import { median } from "./stats.ts";

// Saturation throughput against the number of concurrent calls, as `npm run bench` drives it
// (ghz on core 1 over 4 connections, the server and Redis on core 0) but with ghz's `-c` swept.
// A system whose rate is flat across the sweep is bound by CPU (its own or the generator's); one
// whose rate rises with more calls in flight is bound by each call's latency: with the Redis
// limiter every decision waits for a round trip to Redis, which shares the server's core.
// Usage: node bench/concurrency-sweep.ts [seconds, default 6] [rounds, default 3] [calls, default 32,64,128,256]

const seconds = Number(process.argv[2] ?? 6);
const rounds = Number(process.argv[3] ?? 3);
const sweep = (process.argv[4] ?? "32,64,128,256").split(",").map(Number);
const root = join(import.meta.dirname, "..");
const pin = corePinning();

// `saturation`'s arguments with its 64 concurrent calls replaced by `calls`.
function withCalls(calls: number, s: number): string[] {
  const args = saturation(s);
  const at = args.indexOf("-c");
  return [...args.slice(0, at + 1), String(calls), ...args.slice(at + 2)];
}

async function rates(args: readonly string[], data: unknown): Promise<number[]> {
  const server = await spawnServer(args, { prefix: pin.server });
  try {
    const target = `127.0.0.1:${server.port}`;
    await runGhz(target, data, saturation(WARM_UP_SECONDS), pin.ghz);
    const out: number[] = [];
    for (const calls of sweep) out.push((await runGhz(target, data, withCalls(calls, seconds), pin.ghz)).rps);
    return out;
  } finally {
    await server.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), "modelgate-sweep-"));
const redis = await startBenchRedis(dir, pin.server);
try {
  const fixture = benchFixture(dir);
  const data = checkRequest(fixture.key);
  const serve = (config: string) => [...imageNodeFlags(root), join(root, "src/cli/modelgate.ts"), "serve", "--config", config];
  const systems: [string, string[]][] = [
    ["no-op grpc-js Check handler", [join(root, "bench/noop-server.ts")]],
    ["modelgate, in-process limiter", serve(fixture.config)],
    ["modelgate, Redis limiter", serve(fixture.redisConfig(redis.url))],
  ];
  const figures = systems.map(() => sweep.map(() => [] as number[]));
  for (let r = 0; r < rounds; r += 1) {
    for (const [i, [name, args]] of systems.entries()) {
      const got = await rates(args, data);
      got.forEach((rps, j) => figures[i]?.[j]?.push(rps));
      console.error(`round ${r + 1}: ${name}: ${got.map((x) => Math.round(x)).join(" / ")} rps`);
    }
  }
  const noop = figures[0]?.map(median) ?? [];
  console.log(`\nsaturation rps (of the no-op at the same concurrency), medians of ${rounds} round(s) of ${seconds} s\n`);
  console.log(`| system | ${sweep.map((c) => `${c} calls`).join(" | ")} |`);
  console.log(`|---|${sweep.map(() => "---").join("|")}|`);
  systems.forEach(([name], i) => {
    const cells = (figures[i] ?? []).map((runs, j) => {
      const rps = median(runs);
      return i === 0 ? `${Math.round(rps)}` : `${Math.round(rps)} (${Math.round((100 * rps) / (noop[j] ?? Number.NaN))} %)`;
    });
    console.log(`| ${name} | ${cells.join(" | ")} |`);
  });
} finally {
  redis.child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
}
