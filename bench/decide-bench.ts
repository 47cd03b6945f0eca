import { cpus } from "node:os";
import { GCProfiler, getHeapStatistics } from "node:v8";
import { decide } from "../src/core/decide.ts";
import { decideFixture, type Ports } from "./decide-fixture.ts";

// decide() in-process, without gRPC, on decide-fixture.ts's request and ports (as the server runs
// them). Prints CPU µs and V8 heap bytes allocated per call (bytes: the growth of the used heap
// plus what every GC in between freed, from v8.GCProfiler), medians over the rounds.
// A decision that comes back as a promise is awaited, as the server does.
// To compare two trees, copy this file and decide-fixture.ts into both and run them alternately:
//   for i in 1 2 3; do node A/bench/decide-bench.ts; node B/bench/decide-bench.ts; done
// Usage: node bench/decide-bench.ts [calls per round, default 50000] [rounds, default 5]

const calls = Number(process.argv[2] ?? 50_000);
const rounds = Number(process.argv[3] ?? 5);

interface Figures {
  readonly micros: number;
  readonly bytes: number;
}

async function round(request: unknown, ports: Ports, n: number): Promise<Figures> {
  const profiler = new GCProfiler();
  const heapBefore = getHeapStatistics().used_heap_size;
  const cpuBefore = process.cpuUsage();
  profiler.start();
  for (let i = 0; i < n; i++) {
    const decided = decide(request, ports);
    const decision = decided instanceof Promise ? await decided : decided;
    if (!decision.allowed) throw new Error(`bench request denied: ${decision.reason}`);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const heapAfter = getHeapStatistics().used_heap_size;
  const freed = (profiler.stop()?.statistics ?? []).reduce(
    (sum, gc) => sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize,
    0,
  );
  return { micros: (cpu.user + cpu.system) / n, bytes: (heapAfter - heapBefore + freed) / n };
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const { request, ports } = await decideFixture();
await round(request, ports, calls); // warm-up
const figures: Figures[] = [];
for (let r = 0; r < rounds; r++) figures.push(await round(request, ports, calls));
process.stdout.write(
  [
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}; ${calls} calls per round, median of ${rounds}`,
    `decide(): ${median(figures.map((f) => f.micros)).toFixed(2)} µs CPU, ${median(figures.map((f) => f.bytes)).toFixed(0)} B allocated per call`,
    "",
  ].join("\n"),
);
