import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { getHeapStatistics } from "node:v8";
import { Registry } from "prom-client";
import type { Decision } from "../src/core/decision.ts";
import { decisionFor } from "./audit-decision.ts";
import { median } from "./stats.ts";

// The audit record's phases one by one, in process: µs and V8 heap bytes per call for building
// the record (and within it the input HMAC), sealing it (the envelope, canonical JSON, SHA-256,
// the line), queueing it and encoding its batch, the whole recorder.record() against an
// in-memory sink, the audit metrics, metrics.recordDecision and the decision log call. Bytes
// are the heap's growth over a batch of calls with a young generation large enough that no GC
// runs inside it (the script re-runs itself with --max-semi-space-size and --expose-gc); a batch
// where a GC ran anyway is dropped. Given several source trees, rounds alternate between them.
// Usage: node bench/audit-phases.ts [rounds, default 7] [tree …, default this one]

const FLAGS = ["--min-semi-space-size=256", "--max-semi-space-size=256", "--expose-gc"];
if (!process.execArgv.includes("--expose-gc")) {
  const run = spawnSync(process.execPath, [...FLAGS, ...process.execArgv, import.meta.filename, ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  process.exit(run.status ?? 1);
}

const rounds = Number(process.argv[2] ?? 7);
const trees = process.argv.length > 3 ? process.argv.slice(3).map((t) => resolve(t)) : [join(import.meta.dirname, "..")];
const TIME_CALLS = 20_000;
const BYTE_CALLS = 2_000;

type Mod = Record<string, (...args: never[]) => unknown>;
const load = async (tree: string, path: string): Promise<Mod> => (await import(join(tree, path))) as Mod;

type Phase = (i: number) => unknown;

async function phasesOf(tree: string): Promise<[string, Phase][]> {
  const record = await load(tree, "src/core/audit/record.ts");
  const hmac = await load(tree, "src/core/audit/input-hmac.ts");
  const chain = await load(tree, "src/core/audit/chain.ts");
  const cj = await load(tree, "src/core/audit/canonical-json.ts");
  const buffer = (await import(join(tree, "src/adapters/audit/audit-buffer.ts"))) as {
    AuditBuffer: new (l: object) => { push(r: unknown): boolean; drop(n: number): void; length: number };
  };
  const batch = await load(tree, "src/adapters/audit/batch-bytes.ts");
  const writer = await load(tree, "src/adapters/audit/audit-writer.ts");
  const recorderMod = (await import(join(tree, "src/adapters/audit/audit-recorder.ts"))) as {
    AuditRecorder: new (o: object) => { record(d: Decision, r: unknown, ms: number): Decision };
  };
  const auditMetrics = await load(tree, "src/adapters/audit/audit-metrics.ts");
  const metricsMod = await load(tree, "src/adapters/metrics/metrics.ts");
  const log = await load(tree, "src/wiring/decision-log.ts");
  const logger = await load(tree, "src/adapters/log/json-logger.ts");
  const f = <T>(m: Mod, name: string): T => m[name] as unknown as T;

  const key = f<(b: Uint8Array) => { id: string }>(hmac, "auditHmacKey")(new Uint8Array(randomBytes(48)));
  const decisions = Array.from({ length: 1024 }, (_, i) => decisionFor(i));
  const d = (i: number): Decision => decisions[i & 1023] as Decision;
  const build = f<(input: unknown, key: unknown, now: number, o?: unknown) => Record<string, unknown>>(record, "buildAuditRecord");
  const inputOf = f<(d: Decision, r: unknown, ms: number) => unknown>(record, "auditInputOf");
  const events = decisions.map((x) => build(inputOf(x, x.request, 0.25), key, Date.now(), { subjects: "plain" }));
  const ev = (i: number) => events[i & 1023];
  const head = f<(c: string) => object>(chain, "genesisHead")("bench@2026-12-06T00:00:00.000Z");
  const envelopeFor = f<(h: object, e: unknown) => Record<string, unknown>>(chain, "envelopeFor");
  const envelopes = events.map((e) => envelopeFor(head, e));
  const split = f<(o: unknown, k: string) => [string, string]>(cj, "canonicalSplit");
  const halves = envelopes.map((e) => split(e, "hash"));
  const join2 = f<(...o: string[]) => string>(cj, "joinCanonicalObjects");
  const digestInputs = halves.map(([a, b]) => join2(a, b));
  const sealEvent = f<(h: object, e: unknown) => { record: { bytes: number; line: string } }>(chain, "sealEvent");
  const sealed = events.map((e) => sealEvent(head, e).record);
  const hmacHex = f<(k: unknown, s: string) => string>(hmac, "hmacHex");
  const requestLine = f<(m: string, p: string, q: unknown) => string>(hmac, "requestLine");
  const q = new Map();
  const buf = new buffer.AuditBuffer({ maxRecords: 1e9, maxBytes: 1e12 });
  const batchBytes = f<(r: unknown[]) => Buffer>(batch, "batchBytes");
  const batch500 = sealed.slice(0, 500);
  let fresh: unknown[] = [];

  const registry = new Registry();
  const am = f<(r: Registry) => { accepted(t: string): void }>(auditMetrics, "registerAuditMetrics")(registry);
  const lines: unknown[] = [];
  const sink = {
    name: "memory",
    resume: async () => undefined,
    append: async (b: unknown[]) => void lines.push(b.length),
    close: async () => {},
  };
  const started = (await f<(o: object) => Promise<{ ok: boolean; value: object }>>(
    writer,
    "startAuditWriter",
  )({
    sink,
    replica: "bench",
    chainId: "",
    signer: undefined,
    checkpoint: { everyRecords: 1000, everySeconds: 60 },
    buffer: { maxRecords: 1e9, maxBytes: 1e12 },
    batch: { maxRecords: 500, maxBytes: 1 << 20, flushIntervalMs: 10 },
    writeTimeoutMs: 5000,
    metrics: am,
    now: Date.now,
  })) as { ok: true; value: object };
  const recorder = new recorderMod.AuditRecorder({
    writer: started.value,
    hmacKey: key,
    subjects: "plain",
    failMode: "closed",
    metrics: am,
    now: Date.now,
    outcomes: undefined,
  });
  const metrics = f<() => { recordDecision(d: Decision, ms: number): void }>(metricsMod, "createMetrics")();
  const infoLogger = f<(l: string, w: (s: string) => void) => unknown>(logger, "createJsonLogger")("info", () => {});
  const debugLogger = f<(l: string, w: (s: string) => void) => unknown>(logger, "createJsonLogger")("debug", () => {});
  const logDecision = f<(l: unknown, d: Decision, ms: number) => void>(log, "logDecision");

  return [
    ["build the record (all)", (i) => build(inputOf(d(i), d(i).request, 0.25), key, 1_765_000_000_000 + i, { subjects: "plain" })],
    ["  request line", () => requestLine("POST", "/v2/models/fraud-detector/infer", q)],
    ["  input HMAC", () => hmacHex(key, "POST /v2/models/fraud-detector/infer")],
    ["seal (all)", (i) => sealEvent(head, ev(i))],
    ["  envelope", (i) => envelopeFor(head, ev(i))],
    ["  canonical JSON (both halves)", (i) => split(envelopes[i & 1023], "hash")],
    ["  digest input (join)", (i) => join2(...(halves[i & 1023] as [string, string]))],
    ["  SHA-256 of it", (i) => f<(s: string) => string>(chain, "sha256Hex")(digestInputs[i & 1023] as string)],
    [
      "buffer push + drop",
      (i) => {
        buf.push(sealed[i & 1023]);
        if (buf.length >= 500) buf.drop(500);
      },
    ],
    ["batch bytes (per record of 500)", (i) => (i % 500 === 0 ? batchBytes(batch500) : undefined)],
    // Fresh records, as the writer sees them: a line is encoded (and, if the engine kept it as
    // a concatenation, flattened) once.
    [
      "seal + encode in batches of 512, fresh",
      (i) => {
        const s = sealEvent(head, ev(i)).record;
        fresh.push(s);
        if (fresh.length === 512) fresh = (batchBytes(fresh), []);
      },
    ],
    ["recorder.record (memory sink)", (i) => recorder.record(d(i), d(i).request, 0.25)],
    ["audit metrics accepted()", () => am.accepted("decision")],
    ["metrics.recordDecision", (i) => metrics.recordDecision(d(i), 0.25)],
    ["logDecision, allow at info (dropped)", (i) => logDecision(infoLogger, d(i), 0.25)],
    ["logDecision, allow at debug (written)", (i) => logDecision(debugLogger, d(i), 0.25)],
  ];
}

const gc = (globalThis as unknown as { gc: () => void }).gc;

// CPU time, not wall time: on a shared machine it is what other work disturbs least.
function timeUs(phase: Phase): number {
  const t = process.cpuUsage();
  for (let i = 0; i < TIME_CALLS; i += 1) phase(i);
  const used = process.cpuUsage(t);
  return (used.user + used.system) / TIME_CALLS;
}

function bytes(phase: Phase): number | undefined {
  gc();
  const before = getHeapStatistics().used_heap_size;
  for (let i = 0; i < BYTE_CALLS; i += 1) phase(i);
  const grown = getHeapStatistics().used_heap_size - before;
  return grown > 0 ? grown / BYTE_CALLS : undefined;
}

const loaded = await Promise.all(trees.map(phasesOf));
const figures = loaded.map((phases) => phases.map(() => ({ us: [] as number[], bytes: [] as number[] })));
for (let r = 0; r < rounds + 1; r += 1) {
  for (const [t, phases] of loaded.entries()) {
    for (const [p, [, phase]] of phases.entries()) {
      const us = timeUs(phase);
      const b = bytes(phase);
      if (r === 0) continue; // warm-up
      figures[t]?.[p]?.us.push(us);
      if (b !== undefined) figures[t]?.[p]?.bytes.push(b);
    }
  }
}
const out = [`${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}; median of ${rounds} rounds; per call`];
for (const [t, tree] of trees.entries()) {
  out.push(`tree ${tree}`, `${"phase".padEnd(42)} ${"µs".padStart(7)} ${"bytes".padStart(7)}`);
  for (const [p, [name]] of (loaded[t] ?? []).entries()) {
    const fig = figures[t]?.[p];
    out.push(
      `${name.padEnd(42)} ${median(fig?.us ?? [])
        .toFixed(2)
        .padStart(7)} ${median(fig?.bytes ?? [])
        .toFixed(0)
        .padStart(7)}`,
    );
  }
}
process.stdout.write(`${out.join("\n")}\n`);
process.exit(0);
