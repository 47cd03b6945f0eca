import { cpus } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchFixture, checkRequest } from "./check-fixture.ts";
import { openLoop, runGhz, saturation, type LoadResult } from "./ghz.ts";
import { spawnServer } from "./spawn-server.ts";
import { median, pooled } from "./stats.ts";

// The whole decision pipeline against a no-op grpc-js Check handler, measured in one run:
// 1. saturation throughput of each (closed loop, ghz on one core);
// 2. latency of modelgate at a fixed open-loop rate of 25 % of its own capacity.
// With several rounds (on a machine shared with other work, one round proves little) every
// round is printed, then the median of each figure over the rounds.
// Usage: node bench/check-bench.ts [seconds per run, default 10] [rounds, default 1]

const seconds = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 1);
const root = join(import.meta.dirname, "..");

const SATURATE = saturation(seconds);

// The server's CPU per answered call: steadier than throughput when other work shares the
// machine, and the ratio of two of them is the throughput ratio one dedicated core would give.
type Measured = LoadResult & { readonly cpuMicrosPerCall: number };

async function measure(args: string[], data: unknown, load: string[]): Promise<Measured> {
  const server = await spawnServer(args);
  try {
    await runGhz(`127.0.0.1:${server.port}`, data, ["--cpus", "1", "-c", "8", "-n", "2000"]); // warm-up
    const before = server.cpuMicros();
    const result = await runGhz(`127.0.0.1:${server.port}`, data, load);
    const after = server.cpuMicros();
    return { ...result, cpuMicrosPerCall: before === undefined || after === undefined ? Number.NaN : (after - before) / result.count };
  } finally {
    await server.stop();
  }
}

interface Round {
  readonly noop: Measured;
  readonly full: Measured;
  readonly open: Measured;
  readonly noopOpen: Measured;
  readonly rate: number;
}

async function round(data: unknown, config: string): Promise<Round> {
  const noop = await measure([join(root, "bench/noop-server.ts")], data, SATURATE);
  const serve = [join(root, "src/cli/modelgate.ts"), "serve", "--config", config];
  const full = await measure(serve, data, SATURATE);
  const rate = Math.max(1, Math.round(full.rps * 0.25));
  const open = await measure(serve, data, openLoop(rate, seconds));
  const noopOpen = await measure([join(root, "bench/noop-server.ts")], data, openLoop(rate, seconds));
  return { noop, full, open, noopOpen, rate };
}

// The figure-by-figure median of several measurements (not one whole measurement).
function medianOf(all: readonly Measured[]): Measured {
  const of = (pick: (m: Measured) => number) => median(all.map(pick));
  return {
    rps: of((m) => m.rps),
    count: of((m) => m.count),
    errors: of((m) => m.errors),
    p50: of((m) => m.p50),
    p99: of((m) => m.p99),
    p999: of((m) => m.p999),
    latencies: pooled(all.map((m) => m.latencies)),
    calls: all.flatMap((m) => m.calls),
    statuses: {},
    generatorCpuMicros: of((m) => m.generatorCpuMicros),
    cpuMicrosPerCall: of((m) => m.cpuMicrosPerCall),
  };
}

function row(name: string, r: Measured): string {
  const f = (n: number) => n.toFixed(3).padStart(8);
  return `${name.padEnd(40)} ${r.rps.toFixed(0).padStart(7)} ${f(r.p50)} ${f(r.p99)} ${f(r.p999)} ${String(r.errors).padStart(6)} ${r.cpuMicrosPerCall.toFixed(0).padStart(11)}`;
}

function table(title: string, r: Round, ratio: number, cpuRatio: number): string[] {
  return [
    title,
    `${"run".padEnd(40)} ${"rps".padStart(7)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"p99.9 ms".padStart(8)} ${"errors".padStart(6)} ${"CPU µs/call".padStart(11)}`,
    row("no-op Check handler (saturated)", r.noop),
    row("modelgate pipeline (saturated)", r.full),
    row(`modelgate at 25 % (${r.rate.toFixed(0)} rps, open loop)`, r.open),
    row("no-op at the same rate (open loop)", r.noopOpen),
    `throughput ratio (pipeline / no-op): ${(ratio * 100).toFixed(1)} %; by CPU per call (no-op / pipeline): ${(cpuRatio * 100).toFixed(1)} %`,
  ];
}

const dir = mkdtempSync(join(tmpdir(), "modelgate-bench-"));
try {
  const { key, config } = benchFixture(dir);
  const data = checkRequest(key);
  const done: Round[] = [];
  process.stdout.write(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}; ghz on 1 core, ${seconds}s per run\n`,
  );
  for (let i = 1; i <= rounds; i += 1) {
    const r = await round(data, config);
    done.push(r);
    const status = Object.entries(r.full.statuses)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    const lines = table(
      rounds > 1 ? `round ${i} of ${rounds}` : "",
      r,
      r.full.rps / r.noop.rps,
      r.noop.cpuMicrosPerCall / r.full.cpuMicrosPerCall,
    );
    process.stdout.write(`${[...lines, `pipeline responses: ${status}`, ""].join("\n")}\n`);
  }
  if (rounds > 1) {
    const m: Round = {
      noop: medianOf(done.map((r) => r.noop)),
      full: medianOf(done.map((r) => r.full)),
      open: medianOf(done.map((r) => r.open)),
      noopOpen: medianOf(done.map((r) => r.noopOpen)),
      rate: median(done.map((r) => r.rate)),
    };
    const ratios = done.map((r) => r.full.rps / r.noop.rps);
    const cpuRatios = done.map((r) => r.noop.cpuMicrosPerCall / r.full.cpuMicrosPerCall);
    const range = (v: number[]) => `${(Math.min(...v) * 100).toFixed(0)}–${(Math.max(...v) * 100).toFixed(0)} %`;
    const lines = table(`median of ${rounds} rounds (each figure on its own)`, m, median(ratios), median(cpuRatios));
    process.stdout.write(
      `${[...lines, `ratio ranges over the rounds: throughput ${range(ratios)}, CPU per call ${range(cpuRatios)}`, ""].join("\n")}\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
