import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { envoyProtoIncludeDirs } from "../src/adapters/grpc/envoy-protos.ts";
import { percentile } from "./stats.ts";

// Runs ghz (a Go gRPC load generator; see bench/install-ghz.sh) and returns throughput and
// latency percentiles computed from its per-request details (its summary stops at p99).

export interface LoadResult {
  readonly rps: number;
  readonly count: number;
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number; // milliseconds
  // Every call's latency in ms, ascending (for percentiles over several runs).
  readonly latencies: readonly number[];
  // Every call in the order ghz reports them: when it started (epoch ms) and its latency (ms).
  readonly calls: readonly { readonly startMs: number; readonly ms: number }[];
  readonly statuses: Readonly<Record<string, number>>;
  // ghz's own CPU (user + system, all threads) over the run, in µs; NaN if it could not be read.
  readonly generatorCpuMicros: number;
}

export function ghzPath(): string {
  const candidates = [process.env["GHZ"], join(process.env["MODELGATE_TOOLS"] ?? join(homedir(), ".cache/modelgate-tools"), "bin/ghz")];
  const found = candidates.find((c): c is string => c !== undefined && existsSync(c));
  if (found === undefined) throw new Error("ghz not found: run bench/install-ghz.sh (or set GHZ=/path/to/ghz)");
  return found;
}

interface GhzReport {
  count: number;
  rps: number;
  details?: { timestamp: string; latency: number; status: string }[];
  statusCodeDistribution?: Record<string, number>;
  errorDistribution?: Record<string, number>;
}

// The load shapes every benchmark uses, with ghz on one core. Saturation: 64 calls in flight on
// 4 connections, closed loop. Open loop: requests started at `rps` on 200 workers, so a slow
// answer does not hold back the next send while fewer than 200 are in flight.
export const saturation = (seconds: number): string[] => ["--cpus", "1", "-c", "64", "--connections", "4", "-z", `${seconds}s`];
export const openLoop = (rps: number, seconds: number): string[] => [
  "--cpus",
  "1",
  "-c",
  "200",
  "--connections",
  "4",
  "--rps",
  String(Math.round(rps)),
  "-z",
  `${seconds}s`,
];

// Before a server is timed: this long at saturation, so that what is timed is its steady state
// (V8 has optimised the pipeline), not its first calls.
export const WARM_UP_SECONDS = 5;

// bash's `times` prints the CPU its children used ("0m1.234s 0m0.567s", user then system) as its
// second line: ghz's own CPU, which tells whether the load generator was the limit.
const SHELL_WITH_TIMES = ["bash", "-c", '"$@"; status=$?; times >&2; exit $status', "bash"];

function childCpuMicros(stderr: string): number {
  const seconds = (m: string, s: string) => Number(m) * 60 + Number(s);
  const line = stderr.trim().split("\n").at(-1) ?? "";
  const found = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(line);
  return found === null ? Number.NaN : (seconds(found[1] ?? "", found[2] ?? "") + seconds(found[3] ?? "", found[4] ?? "")) * 1e6;
}

// `prefix` runs ghz under a command such as ["taskset", "-c", "1"] (pins it to one core).
export function runGhz(target: string, data: unknown, args: readonly string[], prefix: readonly string[] = []): Promise<LoadResult> {
  const includes = ["--import-paths", envoyProtoIncludeDirs().join(",")];
  const argv = [
    "--insecure",
    ...includes,
    "--proto",
    "envoy/service/auth/v3/external_auth.proto",
    "--call",
    "envoy.service.auth.v3.Authorization.Check",
    "-d",
    JSON.stringify(data),
    "-O",
    "json",
    ...args,
    target,
  ];
  return new Promise((resolve, reject) => {
    const [command, ...rest] = [...SHELL_WITH_TIMES, ...prefix, ghzPath(), ...argv];
    execFile(command as string, rest, { maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
      // The callback's error type (an Omit<> of ExecException) no longer reads as an Error.
      if (error && stdout === "") return reject(new Error(`ghz failed: ${error.message}`, { cause: error }));
      const report = JSON.parse(stdout) as GhzReport;
      // ghz stamps a call when it ends: the calls a server's pause held all carry the moment it ended.
      const calls = (report.details ?? []).map((d) => ({ startMs: Date.parse(d.timestamp) - d.latency / 1e6, ms: d.latency / 1e6 }));
      const latencies = calls.map((c) => c.ms).sort((a, b) => a - b);
      const errors = Object.values(report.errorDistribution ?? {}).reduce((a, b) => a + b, 0);
      resolve({
        rps: report.rps,
        count: report.count,
        errors,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        p999: percentile(latencies, 99.9),
        latencies,
        calls,
        statuses: report.statusCodeDistribution ?? {},
        generatorCpuMicros: childCpuMicros(stderr),
      });
    });
  });
}
