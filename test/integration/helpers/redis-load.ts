import v8 from "node:v8";
import vm from "node:vm";
import type { ChargeRequest, Limiter } from "../../../src/core/limit/limiter-port.ts";

// Steady in-process load on a limiter: `workers` loops, each charging then pausing `pauseMs`.
// Results are tallied per phase (set by the test) in fixed-size counters, so the load itself
// does not grow the heap that the memory assertions measure.

const BUCKET_MS = 0.05;
const BUCKETS = 4000; // latencies up to 200 ms, then one overflow bucket

export class PhaseStats {
  readonly latency = new Uint32Array(BUCKETS + 1);
  readonly outcomes = new Map<string, number>(); // "kind/mode" → calls
  readonly localAdmissions: number[] = []; // Date.now() of each local admission (few: the local limit bounds them)
  count = 0;
  maxLatencyMs = 0;

  add(latencyMs: number, kind: string, mode: string, epochMs: number): void {
    this.count++;
    this.maxLatencyMs = Math.max(this.maxLatencyMs, latencyMs);
    this.latency[Math.min(BUCKETS, Math.floor(latencyMs / BUCKET_MS))]! += 1;
    const key = `${kind}/${mode}`;
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
    if (kind === "allowed" && mode === "local") this.localAdmissions.push(epochMs);
  }

  // Upper bound of the bucket holding the p-th percentile.
  percentile(p: number): number {
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i <= BUCKETS; i++) {
      seen += this.latency[i] ?? 0;
      if (seen >= rank) return i === BUCKETS ? this.maxLatencyMs : (i + 1) * BUCKET_MS;
    }
    return this.maxLatencyMs;
  }
}

export interface Load {
  phase(name: string): void;
  stats(name: string): PhaseStats;
  stop(): Promise<void>;
}

export function startLoad(limiter: Limiter, request: () => ChargeRequest, workers: number, pauseMs: number): Load {
  const phases = new Map<string, PhaseStats>();
  const statsOf = (name: string) => phases.get(name) ?? phases.set(name, new PhaseStats()).get(name)!;
  let current = statsOf("start");
  let running = true;
  const loop = async () => {
    while (running) {
      const at = performance.now();
      const epochMs = Date.now();
      const verdict = await limiter.charge(request());
      current.add(performance.now() - at, verdict.kind, verdict.kind === "unavailable" ? "-" : verdict.mode, epochMs);
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  const loops = Array.from({ length: workers }, loop);
  return {
    phase: (name) => void (current = statsOf(name)),
    stats: statsOf,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

// Heap in use after a full collection, so growth is real retention rather than garbage.
export function retainedHeap(): number {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  gc();
  return process.memoryUsage().heapUsed;
}
