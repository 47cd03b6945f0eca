import { spawn } from "node:child_process";
import { join } from "node:path";
import { emissionIntervalSteps, gcra, GRID } from "../../../src/core/limit/gcra.ts";
import type { LimitSpec } from "../../../src/core/policy/types.ts";
import type { ChargerConfig, ChargerReport } from "./redis-charger.ts";

// Runs several charger processes (helpers/redis-charger.ts) against one Redis and checks what
// they admitted against the exact GCRA bound.

const CHARGER = join(import.meta.dirname, "redis-charger.ts");

export interface RunningCharger {
  readonly done: Promise<ChargerReport | undefined>; // undefined when killed or failed
  kill(): void;
}

export function startCharger(config: ChargerConfig): RunningCharger {
  const child = spawn(process.execPath, [CHARGER, JSON.stringify(config)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let errText = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (errText += d.toString()));
  const done = new Promise<ChargerReport | undefined>((resolve, reject) => {
    child.once("exit", (code, signal) => {
      if (signal === "SIGKILL") return resolve(undefined);
      if (code !== 0) return reject(new Error(`charger exited ${code}: ${errText.slice(0, 2000)}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1) ?? "null") as ChargerReport);
    });
  });
  return { done, kill: () => void child.kill("SIGKILL") };
}

// 1,000 callers in three processes on one identity, starting together once all have loaded.
export function accuracyConfigs(url: string, tag: string, rate: LimitSpec, durationMs: number): ChargerConfig[] {
  const startAt = Date.now() + 2_500;
  return [334, 333, 333].map((callers) => ({
    url,
    callers,
    startAt,
    durationMs,
    limits: [rate],
    tag,
    identities: 0,
    penaltyBox: undefined,
  }));
}

export interface GcraCheck {
  readonly admitted: number;
  readonly ideal: number; // what exact GCRA admits under constant saturation over the run
  readonly worstExcess: number; // max over all windows of admitted − (burst + windows' intervals); ≤ 0 is exact
}

// For admissions t_0 ≤ … ≤ t_{n−1}, GCRA guarantees for every i < j:
//   j − i + 1 ≤ burst + ⌊(t_j − t_i) / I⌋.
// With x_k = t_k − k·I that is max_{i≤j} x_i − x_j ≤ (burst − 1)·I, checked in one pass, in
// whole grid steps so nothing is rounded.
export function checkGcra(admittedMs: readonly number[], limit: LimitSpec, lastNowMs: number): GcraCheck {
  const interval = emissionIntervalSteps(limit);
  const times = admittedMs.map((t) => Math.round(t * GRID)).sort((a, b) => a - b);
  let maxX = Number.NEGATIVE_INFINITY;
  let worst = Number.NEGATIVE_INFINITY;
  times.forEach((t, k) => {
    const x = t - k * interval;
    maxX = Math.max(maxX, x);
    worst = Math.max(worst, Math.ceil((maxX - x) / interval) - (limit.burst - 1));
  });
  const first = times[0] ?? 0;
  const ideal = limit.burst + Math.floor((Math.round(lastNowMs * GRID) - first) / interval);
  return { admitted: times.length, ideal, worstExcess: worst };
}

// How many of these attempts exact GCRA admits, replayed in Redis-TIME order from a fresh key.
// Redis runs the scripts one at a time and TIME only moves forward, so this is what the limiter
// must have admitted — exactly, however the machine's load spaced the attempts. (Attempts at
// the same instant may swap which of them is admitted, never how many.)
export function replayGcra(attemptsMs: readonly number[], limit: LimitSpec): number {
  let tat: number | undefined;
  let admitted = 0;
  for (const at of [...attemptsMs].sort((a, b) => a - b)) {
    const outcome = gcra(limit, tat, at, 1);
    if (!outcome.allowed) continue;
    tat = outcome.tat;
    admitted += 1;
  }
  return admitted;
}
