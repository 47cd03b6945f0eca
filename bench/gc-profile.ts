import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchFixture, checkRequest } from "./check-fixture.ts";
import { openLoop, runGhz, saturation, WARM_UP_SECONDS, type LoadResult } from "./ghz.ts";
import { corePinning } from "./core-pinning.ts";
import { memoryCgroup } from "./memory-cgroup.ts";
import { imageNodeFlags } from "./image-node-flags.ts";
import { howEnded, spawnServer } from "./spawn-server.ts";
import { median } from "./stats.ts";
import { isMarkCompact, isScavenge, parseGcLine, type GcEvent } from "./gc-line.ts";

// The garbage collector under a fixed open-loop load: latency percentiles swing by 2× on a shared
// machine, GC figures per decision much less. Starts the no-op grpc-js handler and modelgate (the
// bench's configuration: API key, policy with a limit, in-process limiter, audit to rotating
// files, metrics) with --trace-gc-nvp, drives each with ghz at fixed rates (200 workers, so a slow
// answer does not delay the next send) and prints, per system and rate: scavenges and
// mark-compacts per 1000 decisions, GC pauses (median, p99, max, ms of pause per second), bytes
// promoted to the old generation per decision, the heap after GC, RSS, and ghz's p50/p99/p99.9.
// Systems run in rotating order each round; the table shows medians over the rounds.
// `--variant name=flags` adds a modelgate started with extra Node flags (e.g.
// `--variant semi32=--max-semi-space-size=32`); `--variant name@256=flags` runs it in a memory
// cgroup of 256 MiB, as in a pod with that limit (Node sizes its heap, and V8 its young
// generation, from the cgroup's limit: 1 MiB semi-spaces at 256 MiB against 64 MiB on a large
// host), which needs a writable cgroup v1 memory controller or cgroup v2 (root). A variant's flags
// replace the image's (`--variant v8default=` runs with none). The default modelgate runs with
// the image's NODE_OPTIONS (deploy/image/Dockerfile) unless `--flags` is given. `--tree
// name=/path` adds the modelgate of another checkout, with its own image flags (A/B: `git
// worktree add /tmp/ab-x <commit>`, node_modules copied), in the same rotation.
// `--redis URL`: every modelgate uses the Redis limiter there instead of the in-process one
// (start that Redis pinned to core 0, with the servers, as `npm run bench` does); with
// `--anomaly` also anomaly detection, its observations in the same Redis.
// `--floor` adds the transport's floor (bench/http2-floor-server.ts) with modelgate's flags.
// `--show-mc` prints each mark-compact's whole --trace-gc-nvp line (its phases) as it happens.
// `--settle S`: seconds at each rate before its window (default 3); `--settle 0` times the first
// rate right after the saturation warm-up, as `npm run bench` does.
// Usage: node bench/gc-profile.ts [--seconds 10] [--rounds 3] [--rates 1000,500] [--settle 3] [--variant …] [--floor] [--redis URL]

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
    rates: { type: "string", default: "1000,500" },
    variant: { type: "string", multiple: true, default: [] },
    tree: { type: "string", multiple: true, default: [] },
    flags: { type: "string" },
    "no-noop": { type: "boolean", default: false },
    floor: { type: "boolean", default: false },
    redis: { type: "string" },
    anomaly: { type: "boolean", default: false },
    "show-mc": { type: "boolean", default: false },
    settle: { type: "string", default: "3" },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const rates = values.rates.split(",").map(Number);
const settleSeconds = Number(values.settle);
const root = join(import.meta.dirname, "..");
const { server: serverPrefix, ghz: ghzPrefix } = corePinning();
const flagList = (flags: string): string[] => flags.split(/\s+/).filter((f) => f !== "");

interface Sample {
  readonly load: LoadResult;
  readonly scavengesPer1000: number;
  readonly markCompactsPer1000: number;
  readonly pauseP50: number;
  readonly pauseP99: number;
  readonly pauseMax: number;
  readonly pauseMsPerSecond: number;
  readonly promotedPerDecision: number;
  readonly heapAfterMb: number;
  readonly newSpaceMb: number;
  readonly rssMb: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
}

function summarise(events: readonly GcEvent[], load: LoadResult, rssMax: number): Sample {
  const per1000 = (n: number) => (n * 1000) / Math.max(1, load.count);
  const pauses = events.map((e) => e.pause).sort((a, b) => a - b);
  const last = events.at(-1);
  return {
    load,
    scavengesPer1000: per1000(events.filter(isScavenge).length),
    markCompactsPer1000: per1000(events.filter(isMarkCompact).length),
    pauseP50: quantile(pauses, 0.5),
    pauseP99: quantile(pauses, 0.99),
    pauseMax: pauses.at(-1) ?? 0,
    pauseMsPerSecond: pauses.reduce((a, b) => a + b, 0) / seconds,
    promotedPerDecision: events.reduce((a, e) => a + e.promoted, 0) / Math.max(1, load.count),
    heapAfterMb: (last?.heapAfter ?? 0) / 2 ** 20,
    newSpaceMb: (last?.newSpace ?? 0) / 2 ** 20,
    rssMb: rssMax / 2 ** 20,
  };
}

interface System {
  readonly name: string;
  readonly args: readonly string[];
  readonly memoryMb?: number;
}

async function measure(system: System, data: unknown): Promise<Sample[]> {
  let recording: GcEvent[] | undefined;
  const cgroup =
    system.memoryMb === undefined
      ? undefined
      : memoryCgroup(system.memoryMb, serverPrefix, `modelgate-gc-${process.pid}-${system.memoryMb}`);
  const server = await spawnServer(system.args, {
    gcTrace: true,
    prefix: cgroup?.prefix ?? serverPrefix,
    onGcLine: (line) => {
      const event = parseGcLine(line);
      if (recording !== undefined && values["show-mc"] && isMarkCompact(event))
        process.stdout.write(`${system.name} mark-compact: ${line.trim()}\n`);
      recording?.push(event);
    },
  });
  try {
    const target = `127.0.0.1:${server.port}`;
    await runGhz(target, data, saturation(WARM_UP_SECONDS), ghzPrefix);
    const samples: Sample[] = [];
    for (const rps of rates) {
      if (settleSeconds > 0) await runGhz(target, data, openLoop(rps, settleSeconds), ghzPrefix); // the heap settles at this rate first
      recording = [];
      let rssMax = 0;
      const sampler = setInterval(() => (rssMax = Math.max(rssMax, server.rssBytes() ?? 0)), 250);
      const load = await runGhz(target, data, openLoop(rps, seconds), ghzPrefix);
      clearInterval(sampler);
      // A server that ended shows as zeros below; say why (in a memory cgroup: the OOM killer).
      const ended = howEnded(server.child);
      if (ended !== undefined) process.stderr.write(`${system.name} @${rps}: the server ended (${ended}) before or during the run\n`);
      samples.push(summarise(recording, load, rssMax));
      recording = undefined;
    }
    return samples;
  } finally {
    await server.stop();
    cgroup?.remove();
  }
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

function row(name: string, rps: number, samples: readonly Sample[]): string {
  const m = (f: (s: Sample) => number) => median(samples.map(f));
  return `| ${name} | ${rps} | ${fmt(
    m((s) => s.scavengesPer1000),
    2,
  )} | ${fmt(
    m((s) => s.markCompactsPer1000),
    3,
  )} | ${fmt(
    m((s) => s.pauseP50),
    2,
  )} / ${fmt(m((s) => s.pauseP99))} / ${fmt(m((s) => s.pauseMax))} | ${fmt(m((s) => s.pauseMsPerSecond))} | ${fmt(
    m((s) => s.promotedPerDecision),
    0,
  )} | ${fmt(m((s) => s.heapAfterMb))} | ${fmt(m((s) => s.newSpaceMb))} | ${fmt(
    m((s) => s.rssMb),
    0,
  )} | ${fmt(
    m((s) => s.load.p50),
    2,
  )} / ${fmt(m((s) => s.load.p99))} / ${fmt(m((s) => s.load.p999))} |`;
}

const dir = mkdtempSync(join(tmpdir(), "modelgate-gc-"));
try {
  const fixture = benchFixture(dir);
  const data = checkRequest(fixture.key);
  const flagsOf = (tree: string): string => values.flags ?? imageNodeFlags(tree).join(" ");
  const config = fixture.configFor(values.redis, values.anomaly);
  const serve = (flags: string, tree = root): string[] => [
    ...flagList(flags),
    join(tree, "src/cli/modelgate.ts"),
    "serve",
    "--config",
    config,
  ];
  const systems: System[] = [
    ...(values["no-noop"] ? [] : [{ name: "no-op grpc-js handler", args: [join(root, "bench/noop-server.ts")] }]),
    { name: `modelgate${flagsOf(root) === "" ? "" : ` ${flagsOf(root)}`}`, args: serve(flagsOf(root)) },
    ...values.variant.map((v) => {
      const [label = "", ...flags] = v.split("=");
      const memory = label.split("@")[1];
      return { name: `modelgate ${label}`, args: serve(flags.join("=")), ...(memory === undefined ? {} : { memoryMb: Number(memory) }) };
    }),
    ...values.tree.map((t) => {
      const [name = "", ...path] = t.split("=");
      return { name: `modelgate ${name}`, args: serve(flagsOf(path.join("=")), path.join("=")) };
    }),
    ...(values.floor ? [{ name: "node:http2 floor", args: [...flagList(flagsOf(root)), join(root, "bench/http2-floor-server.ts")] }] : []),
  ];
  const results = new Map<System, Sample[][]>(systems.map((s) => [s, rates.map(() => [])]));
  for (let round = 0; round < rounds; round++) {
    const order = systems.map((_, i) => systems[(i + round) % systems.length] as System);
    for (const system of order) {
      const samples = await measure(system, data);
      samples.forEach((s, i) => {
        results.get(system)?.[i]?.push(s);
        process.stdout.write(
          `round ${round + 1} ${system.name} @${rates[i]}: ${s.load.count} calls, scavenges/1000 ${fmt(s.scavengesPer1000, 2)}, mc/1000 ${fmt(
            s.markCompactsPer1000,
            3,
          )}, pause p50/p99/max ${fmt(s.pauseP50, 2)}/${fmt(s.pauseP99)}/${fmt(s.pauseMax)} ms, ${fmt(s.pauseMsPerSecond)} ms/s, promoted ${fmt(
            s.promotedPerDecision,
            0,
          )} B/decision, heap ${fmt(s.heapAfterMb)} MB, new space ${fmt(s.newSpaceMb)} MB, RSS ${fmt(s.rssMb, 0)} MB, latency ${fmt(s.load.p50, 2)}/${fmt(
            s.load.p99,
          )}/${fmt(s.load.p999)} ms\n`,
        );
      });
    }
  }
  process.stdout.write(
    `\n| system | rps | scavenges / 1000 | mark-compacts / 1000 | pause ms p50 / p99 / max | GC pause ms / s | promoted B / decision | heap after GC MB | new space MB | RSS MB | p50 / p99 / p99.9 ms |\n|---|---|---|---|---|---|---|---|---|---|---|\n`,
  );
  for (const system of systems)
    rates.forEach((rps, i) => process.stdout.write(`${row(system.name, rps, results.get(system)?.[i] ?? [])}\n`));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
