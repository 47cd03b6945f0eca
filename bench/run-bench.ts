import { spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { benchFixture, checkRequest, wrongKeyRequest } from "./check-fixture.ts";
import { startBenchRedis } from "./bench-redis.ts";
import { openLoop, runGhz, saturation, WARM_UP_SECONDS, type LoadResult } from "./ghz.ts";
import { corePinning } from "./core-pinning.ts";
import { imageNodeFlags } from "./image-node-flags.ts";
import { OPA_ENVOY_VERSION, opaEnvoyPath, startOpaEnvoy } from "./opa-envoy.ts";
import { howEnded, spawnServer, stopChild } from "./spawn-server.ts";
import { verifyDecisions } from "./verify-check.ts";
import { describeMachineLoad, machineSnapshot } from "./machine-load.ts";
import { formatReport, type Latencies, type SystemFigures } from "./bench-report.ts";
import { median, percentile, pooled } from "./stats.ts";

// `npm run bench`: the no-op grpc-js Check handler, modelgate (in-process limiter, then Redis), the
// transport's floor (bench/http2-floor-server.ts) and OPA-Envoy (decision log on, then off) side by
// side in one run. Each round measures every
// system's saturation throughput, then its latency at fixed open-loop rates (1000 rps and 25 %
// of modelgate's saturation in that round); the order of the systems rotates from round to round
// so that drifts of a shared machine spread over all of them. The table shows medians over the
// rounds, except latency: its percentiles are over every call of the rounds at that rate (the
// report also lists each round's p99.9, the figure earlier runs took the median of).
// The 1000 rps run lasts three windows: the first, right after the saturation warm-up, is
// reported apart (V8 re-optimizes code the drop in load deoptimized, for ≈ 15–20 s), the second
// lets the server settle, and the third is the steady state the 1000 rps columns show.
// Servers are pinned to core 0 and ghz to core 1 where `taskset` exists.
// Every server is first driven at saturation for `--warm-up` seconds (default 5), so that what is
// timed is its steady state (V8 has optimised the pipeline; Go has no JIT), not its first calls.
// Usage: npm run bench [-- --quick] [-- --rounds N --seconds S --warm-up W]

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const at = argv.indexOf(name);
  return at === -1 ? fallback : Number(argv[at + 1]);
};
const quick = argv.includes("--quick");
const seconds = flag("--seconds", quick ? 3 : 10);
const warmSeconds = flag("--warm-up", quick ? 2 : WARM_UP_SECONDS);
const rounds = flag("--rounds", quick ? 1 : 3);
const root = join(import.meta.dirname, "..");
const { pinned, server: serverPrefix, ghz: ghzPrefix } = corePinning();

interface Running {
  readonly port: number;
  readonly child: ChildProcess;
  cpuMicros(): number | undefined;
  rssBytes(): number | undefined;
  allocatedBytes(): Promise<number | undefined>;
  stop(): Promise<void>;
}

interface System {
  readonly name: string;
  start(): Promise<Running>;
  readonly denies: boolean; // the no-op and the floor allow everything
}

function nodeSystem(name: string, args: string[], denies: boolean): System {
  return {
    name,
    denies,
    start: async () => {
      const s = await spawnServer(args, { gcTrace: true, prefix: serverPrefix });
      return { ...s, allocatedBytes: () => Promise.resolve(s.allocatedBytes()) };
    },
  };
}

interface Sample {
  readonly saturated: LoadResult;
  readonly cpuMicros: number;
  readonly generatorCpuMicros: number;
  readonly allocated: number;
  readonly at1000: Window; // the steady window
  readonly at1000AfterSaturation: Window; // the window right after the saturation warm-up
  readonly atQuarter: Window;
  readonly rss: number;
}

// A server that ended during a run leaves ghz counting refused calls as fast answers: the run
// stops rather than print them.
function endedCheck(system: System, server: Running): void {
  const ended = howEnded(server.child);
  if (ended !== undefined) throw new Error(`${system.name} ended (${ended}) during the run: its figures would be ghz's errors`);
}

const SATURATE = saturation(seconds);
const WARM_UP = saturation(warmSeconds);

async function saturate(
  system: System,
  data: unknown,
): Promise<Pick<Sample, "saturated" | "cpuMicros" | "generatorCpuMicros" | "allocated">> {
  const server = await system.start();
  try {
    const target = `127.0.0.1:${server.port}`;
    await runGhz(target, data, WARM_UP, ghzPrefix);
    const [cpu0, alloc0] = [server.cpuMicros(), await server.allocatedBytes()];
    const saturated = await runGhz(target, data, SATURATE, ghzPrefix);
    const [cpu1, alloc1] = [server.cpuMicros(), await server.allocatedBytes()];
    endedCheck(system, server);
    const per = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined ? Number.NaN : (b - a) / saturated.count;
    return {
      saturated,
      cpuMicros: per(cpu0, cpu1),
      generatorCpuMicros: saturated.generatorCpuMicros / saturated.count,
      allocated: per(alloc0, alloc1),
    };
  } finally {
    await server.stop();
  }
}

// Calls' latencies (ms, ascending) and the ghz errors to count for them: a run's errors are
// counted once, with its steady window.
interface Window {
  readonly latencies: readonly number[];
  readonly errors: number;
}

const whole = (run: LoadResult): Window => ({ latencies: run.latencies, errors: run.errors });

// The calls of `run` that started from `fromS` to `toS` seconds after its first call started.
function windowOf(run: LoadResult, fromS: number, toS: number): Window {
  // A loop, not Math.min(...): spread over 180 000 calls (`--seconds 60`) overflows the stack.
  const first = run.calls.reduce((min, c) => Math.min(min, c.startMs), Number.POSITIVE_INFINITY);
  const inside = run.calls.filter((c) => c.startMs >= first + fromS * 1000 && c.startMs < first + toS * 1000);
  return { latencies: inside.map((c) => c.ms).sort((a, b) => a - b), errors: 0 };
}

// Open loop: ghz starts requests at the given rate on 200 workers, so a slow answer does not
// hold back the next request while fewer than 200 are in flight. RSS is the largest sampled
// during the 1000 rps run.
async function openLoops(
  system: System,
  data: unknown,
  quarterRps: number,
): Promise<Pick<Sample, "at1000" | "at1000AfterSaturation" | "atQuarter" | "rss">> {
  const server = await system.start();
  let rss = 0;
  const sampler = setInterval(() => (rss = Math.max(rss, server.rssBytes() ?? 0)), 250);
  try {
    const target = `127.0.0.1:${server.port}`;
    await runGhz(target, data, WARM_UP, ghzPrefix);
    const at1000 = await runGhz(target, data, openLoop(1000, 3 * seconds), ghzPrefix);
    clearInterval(sampler);
    const atQuarter = await runGhz(target, data, openLoop(quarterRps, seconds), ghzPrefix);
    endedCheck(system, server);
    return {
      at1000: { ...windowOf(at1000, 2 * seconds, 3 * seconds), errors: at1000.errors },
      at1000AfterSaturation: windowOf(at1000, 0, seconds),
      atQuarter: whole(atQuarter),
      rss,
    };
  } finally {
    clearInterval(sampler);
    await server.stop();
  }
}

const rotate = <T>(items: readonly T[], by: number): T[] => items.map((_, i) => items[(i + by) % items.length] as T);

// p50, p99 and p99.9 over every call of the rounds; with each round's own p99.9, in round order.
function latencies(runs: readonly Window[]): Latencies {
  const all = pooled(runs.map((run) => run.latencies));
  const p999ByRound = runs.map((run) => percentile(run.latencies, 99.9));
  return { p50: percentile(all, 50), p99: percentile(all, 99), p999: percentile(all, 99.9), p999ByRound };
}

function medianFigures(name: string, samples: readonly Sample[], quarterRps: number): SystemFigures {
  const of = (pick: (s: Sample) => number) => median(samples.map(pick));
  return {
    name,
    rps: of((s) => s.saturated.rps),
    errors: of((s) => s.saturated.errors + s.at1000.errors + s.atQuarter.errors),
    cpuMicros: of((s) => s.cpuMicros),
    generatorCpuMicros: of((s) => s.generatorCpuMicros),
    allocated: of((s) => s.allocated),
    at1000: latencies(samples.map((s) => s.at1000)),
    at1000AfterSaturation: latencies(samples.map((s) => s.at1000AfterSaturation)),
    atQuarter: latencies(samples.map((s) => s.atQuarter)),
    quarterRps,
    rssMb: of((s) => s.rss) / 1_048_576,
  };
}

function versionOf(command: string, args: string[]): string {
  const out = spawnSync(command, args, { encoding: "utf8" });
  return out.status === 0 ? (out.stdout.trim().split("\n")[0] ?? "?") : "?";
}

const dir = mkdtempSync(join(tmpdir(), "modelgate-bench-"));
let redis: ChildProcess | undefined;
try {
  const fixture = benchFixture(dir);
  const data = checkRequest(fixture.key);
  const wrongKey = wrongKeyRequest(fixture.key);
  const started = await startBenchRedis(dir, serverPrefix);
  redis = started.child;
  const serve = (config: string) => [...imageNodeFlags(root), join(root, "src/cli/modelgate.ts"), "serve", "--config", config];
  const systems: System[] = [
    nodeSystem("no-op grpc-js Check handler (proto-loader)", [join(root, "bench/noop-server.ts")], false),
    nodeSystem("modelgate, API key, in-process limiter, audit to file", serve(fixture.config), true),
    nodeSystem("modelgate, API key, Redis limiter, audit to file", serve(fixture.redisConfig(started.url)), true),
    // No target names it: the row shows what Node's HTTP/2 layer alone costs on this machine.
    nodeSystem(
      "node:http2 answering OK through modelgate's reply path (the transport's floor)",
      [...imageNodeFlags(root), join(root, "bench/http2-floor-server.ts")],
      false,
    ),
  ];
  const opa = opaEnvoyPath();
  if (opa === undefined) {
    process.stdout.write(`OPA-Envoy: skipped (not built; run bench/install-opa-envoy.sh, which needs Go)\n`);
  } else {
    const opaSystem = (log: boolean): System => ({
      name: `OPA-Envoy ${OPA_ENVOY_VERSION}, equivalent Rego, decision log ${log ? "on (console, to a file)" : "off"}`,
      denies: true,
      start: async () => startOpaEnvoy(opa, dir, fixture.digest, log, serverPrefix),
    });
    systems.push(opaSystem(true), opaSystem(false));
  }
  const [noop, modelgate] = systems as [System, System];

  for (const system of systems) {
    const server = await system.start();
    try {
      process.stdout.write(`${await verifyDecisions(system.name, server.port, data, system.denies ? wrongKey : undefined)}\n`);
    } finally {
      await server.stop();
    }
  }

  const startedOn = machineSnapshot();
  const samples = new Map<System, Sample[]>(systems.map((s) => [s, []]));
  const quarters: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    process.stdout.write(`round ${r + 1} of ${rounds}: saturation…\n`);
    const saturated = new Map<System, Awaited<ReturnType<typeof saturate>>>();
    for (const system of rotate(systems, r)) saturated.set(system, await saturate(system, data));
    const quarter = Math.max(50, 0.25 * (saturated.get(modelgate)?.saturated.rps ?? 0));
    quarters.push(quarter);
    process.stdout.write(`round ${r + 1} of ${rounds}: open loop at 1000 and ${quarter.toFixed(0)} rps…\n`);
    for (const system of rotate(systems, r)) {
      const open = await openLoops(system, data, quarter);
      const sat = saturated.get(system);
      if (sat !== undefined) samples.get(system)?.push({ ...sat, ...open });
    }
  }

  const figures = systems.map((s) => medianFigures(s.name, samples.get(s) ?? [], median(quarters)));
  const environment = {
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    node: process.version,
    go: versionOf("go", ["version"]),
    redis: versionOf("redis-server", ["--version"]),
    opa: opa === undefined ? "skipped" : `opa-envoy-plugin ${OPA_ENVOY_VERSION}`,
    pinned,
    seconds,
    warmSeconds,
    rounds,
    machineLoad: describeMachineLoad(startedOn, machineSnapshot()),
  };
  process.stdout.write(`\n${formatReport(figures, environment, noop.name, modelgate.name)}\n`);
} finally {
  if (redis !== undefined) await stopChild(redis);
  rmSync(dir, { recursive: true, force: true });
}
