import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { Registry } from "prom-client";
import type { AuditConfig } from "../src/core/audit/audit-config.ts";
import type { AuditRuntime } from "../src/wiring/start-audit.ts";
import { decisionFor } from "./audit-decision.ts";
import { median } from "./stats.ts";

// The audit path alone, in process: the production wiring (startAudit with the file sink,
// fdatasync per batch, signed checkpoints every 1,000 records) records allowed decisions shaped
// like check-bench's, PER_TURN per event-loop turn as a busy server would. Per decision:
//   hot p50   the median time inside recorder.record(): what a Check answer waits for;
//   hot mean  the same, averaged: with the GC pauses that allocation triggers there;
//   CPU       process CPU (all threads) over the round, minus the same loop without recording:
//             hot path, batch writes and GC together;
//   GC        main-thread GC pause time, minus the same loop's without recording;
//   rate      decisions per second through the whole loop (closed loop, fdatasync included).
// CPU time is less disturbed by other work on a shared machine than throughput is, and each
// row is the median of several rounds. A loop like this keeps caches warm: in the server, between
// gRPC calls, the same work costs several times more (bench/profile-check.ts shows it there).
// Given more than one source tree (e.g. a checkout of an older commit), the rounds alternate
// between them, so their figures come from the same run.
// Usage: node bench/audit-bench.ts [decisions per round, default 100000] [tree …, default this one]

const decisions = Number(process.argv[2] ?? 100_000);
const trees = process.argv.length > 3 ? process.argv.slice(3).map((t) => resolve(t)) : [join(import.meta.dirname, "..")];
const ROUNDS = 5;
const PER_TURN = 16;

interface Round {
  readonly hotP50Us: number;
  readonly hotUs: number;
  readonly cpuUs: number;
  readonly gcUs: number;
  readonly rejected: number;
  readonly perSecond: number;
}

type StartAudit = (config: AuditConfig, deps: unknown) => Promise<{ ok: true; value: AuditRuntime } | { ok: false; error: string }>;

async function loadTree(tree: string): Promise<{ startAudit: StartAudit; defaults: AuditConfig }> {
  const start = (await import(join(tree, "src/wiring/start-audit.ts"))) as { startAudit: StartAudit };
  const config = (await import(join(tree, "src/core/audit/audit-config.ts"))) as { AUDIT_DEFAULTS: AuditConfig };
  return { startAudit: start.startAudit, defaults: config.AUDIT_DEFAULTS };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

// One round: `decisions` decisions, PER_TURN per event-loop turn; `record` false runs the same
// loop without recording (the harness's own cost, subtracted).
async function round(tree: Awaited<ReturnType<typeof loadTree>>, record: boolean): Promise<Round> {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-audit-bench-"));
  const { privateKey } = generateKeyPairSync("ed25519");
  writeFileSync(join(dir, "signing.pem"), privateKey.export({ type: "pkcs8", format: "pem" }));
  writeFileSync(join(dir, "hmac.key"), randomBytes(48).toString("base64"));
  const config: AuditConfig = {
    ...tree.defaults,
    sink: "file",
    hmacKeyFile: join(dir, "hmac.key"),
    signingKeyFile: join(dir, "signing.pem"),
    file: { ...tree.defaults.file, path: join(dir, "audit", "audit.jsonl") },
  };
  const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => logger };
  const started = await tree.startAudit(config, { registry: new Registry(), logger, replica: "bench", now: Date.now });
  if (!started.ok) throw new Error(started.error);
  const audit = started.value;
  let gcUs = 0;
  const gc = new PerformanceObserver((list) => list.getEntries().forEach((e) => (gcUs += e.duration * 1000)));
  gc.observe({ entryTypes: ["gc"] });
  const hotNs = new Float64Array(record ? decisions : 0);
  let rejected = 0;
  const cpu = process.cpuUsage();
  const begun = performance.now();
  for (let i = 0; i < decisions; i += 1) {
    const decision = decisionFor(i);
    if (record) {
      const t = process.hrtime.bigint();
      const answered = audit.recorder.record(decision, decision.request, 0.25);
      hotNs[i] = Number(process.hrtime.bigint() - t);
      if (!answered.allowed) rejected += 1;
    }
    if (i % PER_TURN === PER_TURN - 1) await turn();
    // A busy server still keeps up; so must the bench, or it measures refusals instead.
    while (record && !audit.writer.canAccept()) await new Promise((r) => setTimeout(r, 1));
  }
  await audit.writer.flush(10_000);
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - begun) / 1000;
  gc.disconnect();
  await audit.close(10_000);
  rmSync(dir, { recursive: true, force: true });
  const hotTotal = hotNs.reduce((a, b) => a + b, 0);
  return {
    hotP50Us: (hotNs.sort()[Math.floor(decisions / 2)] ?? 0) / 1000,
    hotUs: hotTotal / 1000 / decisions,
    cpuUs: (used.user + used.system) / decisions,
    gcUs: gcUs / decisions,
    rejected,
    perSecond: decisions / seconds,
  };
}

const loaded = await Promise.all(trees.map(loadTree));
const results = trees.map(() => ({ with: [] as Round[], without: [] as Round[] }));
for (let r = 0; r < ROUNDS + 1; r += 1) {
  for (const [t, tree] of loaded.entries()) {
    const withRecord = await round(tree, true);
    const without = await round(tree, false);
    if (r === 0) continue; // warm-up: JIT and file-system caches
    results[t]?.with.push(withRecord);
    results[t]?.without.push(without);
  }
}
const lines = [
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}; ${decisions} decisions per round, median of ${ROUNDS} rounds; µs per decision`,
  `${"tree".padEnd(40)} ${"hot p50".padStart(8)} ${"hot mean".padStart(9)} ${"CPU".padStart(7)} ${"GC".padStart(6)} ${"rate/s".padStart(8)} ${"refused".padStart(8)}`,
];
for (const [t, tree] of trees.entries()) {
  const res = results[t];
  if (res === undefined) continue;
  const cpu = median(res.with.map((x, i) => x.cpuUs - (res.without[i]?.cpuUs ?? 0)));
  const gcUs = median(res.with.map((x, i) => x.gcUs - (res.without[i]?.gcUs ?? 0)));
  const f = (v: number, w: number) => v.toFixed(2).padStart(w);
  lines.push(
    `${tree.slice(-40).padEnd(40)} ${f(median(res.with.map((x) => x.hotP50Us)), 8)} ${f(median(res.with.map((x) => x.hotUs)), 9)} ${f(cpu, 7)} ${f(gcUs, 6)} ${median(
      res.with.map((x) => x.perSecond),
    )
      .toFixed(0)
      .padStart(8)} ${String(median(res.with.map((x) => x.rejected))).padStart(8)}`,
  );
}
process.stdout.write(`${lines.join("\n")}\n`);
