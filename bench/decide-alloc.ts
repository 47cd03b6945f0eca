import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { decide } from "../src/core/decide.ts";
import { allocationReport, type SampledNode } from "./allocation-report.ts";
import { decideFixture } from "./decide-fixture.ts";

// Where decide()'s own allocations come from, in process (no gRPC, no audit record): samples
// every allocation, freed ones included, while decide-fixture.ts's request is decided, charged
// as allocation-report.ts says. Figures are estimated bytes per call.
// Usage: node bench/decide-alloc.ts [calls, default 200000] [rows, default 30]

const calls = Number(process.argv[2] ?? 200_000);
const rows = Number(process.argv[3] ?? 30);
const src = `${join(import.meta.dirname, "..")}/src/`;

async function run(request: unknown, ports: Parameters<typeof decide>[1], n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const decided = decide(request, ports);
    if (decided instanceof Promise) await decided;
  }
}

const { request, ports } = await decideFixture();
await run(request, ports, calls / 4); // warm-up: optimized code allocates differently
const session = new Session();
session.connect();
await session.post("HeapProfiler.enable");
await session.post("HeapProfiler.startSampling", {
  samplingInterval: 256,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
await run(request, ports, calls);
const { profile } = (await session.post("HeapProfiler.stopSampling")) as unknown as { profile: { head: SampledNode } };
process.stdout.write(allocationReport(profile.head, src, calls, rows));
