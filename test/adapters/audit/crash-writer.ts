// A writer process for the restart test: node crash-writer.ts <audit path>
// Records decisions as fast as it can with the file sink and prints "written <seq>" each time a
// flush is confirmed (fdatasync'd), until it is killed.
import { Registry } from "prom-client";
import { registerAuditMetrics } from "../../../src/adapters/audit/audit-metrics.ts";
import { startAuditWriter } from "../../../src/adapters/audit/audit-writer.ts";
import { createFileSink } from "../../../src/adapters/audit/file-sink.ts";
import { decisionEvent } from "../../core/audit/builders.ts";

const path = process.argv[2];
if (path === undefined) throw new Error("usage: crash-writer.ts <audit path>");
const started = await startAuditWriter({
  sink: createFileSink({ path, maxBytes: 64 * 1024, maxAgeSeconds: 0, fsync: "batch", now: Date.now }),
  replica: "pod-crash",
  chainId: "",
  signer: undefined,
  checkpoint: { everyRecords: 100, everySeconds: 60 },
  buffer: { maxRecords: 10_000, maxBytes: 16 * 1024 * 1024 },
  batch: { maxRecords: 32, maxBytes: 1024 * 1024, flushIntervalMs: 1 },
  writeTimeoutMs: 5000,
  metrics: registerAuditMetrics(new Registry()),
  now: Date.now,
});
if (!started.ok) throw new Error(started.error);
const writer = started.value;
process.stdout.write(`started ${writer.head().seq}\n`);
for (let i = 0; ; i += 1) {
  for (let n = 0; n < 10; n += 1) writer.record(decisionEvent(i * 10 + n));
  const seq = writer.head().seq;
  if (await writer.flush(5000)) process.stdout.write(`written ${seq}\n`);
}
