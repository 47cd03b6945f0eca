import { afterEach, describe, expect, it } from "vitest";
import { verifyAuditLines, type VerifyOptions } from "../../../src/core/audit/verify.ts";
import type { Decision } from "../../../src/core/decision.ts";
import { AUDIT_UNAVAILABLE_DETAIL } from "../../../src/core/audit/audit-fail-mode.ts";
import { allowed, asLines, decisionEvent, testKeys } from "../../core/audit/builders.ts";
import { ControlledSink, decisionIds, harness, waitFor, type Harness } from "./helpers.ts";

const keys = testKeys();
const VERIFY: VerifyOptions = { keys: [], requireCheckpointAtEnd: false, allowPartialStart: false, mixed: false };
const open: Harness[] = [];
async function make(...args: Parameters<typeof harness>): Promise<Harness> {
  const h = await harness(...args);
  open.push(h);
  return h;
}
afterEach(async () => {
  for (const h of open.splice(0)) await h.writer.close(200);
});

const allow = (i: number): Decision => allowed({ id: `d-${i}`, requestId: `r-${i}` });

describe("audit writer", () => {
  it("writes accepted records in chain order, in batches, off the caller's path", async () => {
    const sink = new ControlledSink();
    const h = await make(sink);
    for (let i = 0; i < 200; i += 1) expect(h.writer.record(decisionEvent(i))).toBe("accepted");
    expect(sink.lines).toHaveLength(0); // record() only queues
    expect(await h.writer.flush(2000)).toBe(true);
    expect(sink.lines).toHaveLength(200);
    expect(sink.appends).toBeLessThan(200);
    expect(verifyAuditLines(asLines(sink.lines), VERIFY).ok).toBe(true);
    expect(await h.metric("modelgate_audit_records_written_total")).toBe(200);
    expect(await h.metric("modelgate_audit_records_total", { type: "decision", result: "accepted" })).toBe(200);
  });

  it("signs a checkpoint every N records, and one on close, so the whole chain is covered", async () => {
    const sink = new ControlledSink();
    const h = await make(sink, { signer: keys.signer, checkpoint: { everyRecords: 10, everySeconds: 3600 } });
    for (let i = 0; i < 35; i += 1) h.writer.record(decisionEvent(i));
    await h.writer.close(2000);
    const report = verifyAuditLines(asLines(sink.lines), { ...VERIFY, keys: [keys.publicKey], requireCheckpointAtEnd: true });
    expect(report.ok).toBe(true);
    expect(report.chains[0]?.signaturesVerified).toBeGreaterThanOrEqual(4);
    expect(await h.metric("modelgate_audit_checkpoints_total")).toBe(report.chains[0]?.checkpoints);
  });

  it("signs a checkpoint after everySeconds even when traffic stops", async () => {
    const sink = new ControlledSink();
    const h = await make(sink, { signer: keys.signer, checkpoint: { everyRecords: 1000, everySeconds: 0.05 } });
    for (let i = 0; i < 3; i += 1) h.writer.record(decisionEvent(i));
    await waitFor(() => sink.lines.some((l) => l.includes('"type":"checkpoint"')), 3000, "a timed checkpoint");
    expect(verifyAuditLines(asLines(sink.lines), { ...VERIFY, keys: [keys.publicKey], requireCheckpointAtEnd: true }).ok).toBe(true);
  });

  it("names new chains after the replica and start time", async () => {
    const h = await make(new ControlledSink());
    expect(h.writer.chain).toMatch(/^pod-a@\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(h.writer.head()).toMatchObject({ seq: -1 });
  });
});

describe("audit sink down, slow and full (security.md A2, T20)", () => {
  it("sink down: keeps records, fails closed after writeTimeoutMs, loses nothing once it recovers", async () => {
    const sink = new ControlledSink();
    sink.mode = "fail";
    const h = await make(sink, { writeTimeoutMs: 100 });
    const recorder = h.recorder("closed");
    const answered: Decision[] = [];
    for (let i = 0; i < 20; i += 1) answered.push(recorder.record(allow(i), undefined, 0.1));
    expect(answered.every((d) => d.allowed)).toBe(true); // within the bound the buffer absorbs the outage
    await waitFor(() => !h.writer.healthy(), 2000, "the writer to turn unhealthy");
    expect(recorder.admits()).toBe(false);
    for (let i = 20; i < 40; i += 1) answered.push(recorder.record(allow(i), undefined, 0.1));
    const refused = answered.slice(20);
    expect(refused.every((d) => !d.allowed && d.reason === "audit_unavailable" && d.detail === AUDIT_UNAVAILABLE_DETAIL)).toBe(true);
    expect(await h.metric("modelgate_audit_write_failures_total")).toBeGreaterThan(0);
    expect(await h.metric("modelgate_audit_fail_mode_total", { mode: "closed" })).toBe(20);
    expect(await h.metric("modelgate_audit_healthy")).toBe(0);

    sink.mode = "ok";
    expect(await h.writer.flush(3000)).toBe(true);
    expect(h.writer.healthy()).toBe(true);
    const allowedIds = answered.filter((d) => d.allowed).map((d) => d.id);
    expect(decisionIds(sink.lines, "allow")).toEqual(allowedIds);
    expect(decisionIds(sink.lines, "deny")).toHaveLength(20); // the refusals are on record too
    expect(verifyAuditLines(asLines(sink.lines), VERIFY).ok).toBe(true);
  });

  it("sink hung: bounded buffer, fail closed, counted; every allowed record is written on recovery", async () => {
    const sink = new ControlledSink();
    sink.mode = "hang";
    const h = await make(sink, { writeTimeoutMs: 50, buffer: { maxRecords: 50, maxBytes: 1024 * 1024 } });
    const recorder = h.recorder("closed");
    const answered: Decision[] = [];
    for (let i = 0; i < 10; i += 1) answered.push(recorder.record(allow(i), undefined, 0));
    await waitFor(() => !h.writer.healthy(), 2000, "unhealthy");
    for (let i = 10; i < 10_000; i += 1) answered.push(recorder.record(allow(i), undefined, 0));
    expect(h.writer.bufferedRecords()).toBeLessThanOrEqual(50);
    expect(h.writer.bufferedBytes()).toBeLessThanOrEqual(1024 * 1024);
    expect(answered.filter((d) => d.allowed)).toHaveLength(10);
    expect(await h.metric("modelgate_audit_rejected_total", { cause: "buffer_full" })).toBeGreaterThan(0);
    expect(await h.metric("modelgate_audit_buffer_records")).toBe(h.writer.bufferedRecords());

    sink.release();
    expect(await h.writer.flush(3000)).toBe(true);
    expect(decisionIds(sink.lines, "allow")).toEqual(answered.filter((d) => d.allowed).map((d) => d.id));
    expect(verifyAuditLines(asLines(sink.lines), VERIFY).ok).toBe(true);
  });

  it("buffer full behind a slow but healthy sink: the excess is refused, never dropped silently", async () => {
    const sink = new ControlledSink();
    sink.mode = "hang";
    const h = await make(sink, { writeTimeoutMs: 60_000, buffer: { maxRecords: 20, maxBytes: 1024 * 1024 } });
    const recorder = h.recorder("closed");
    const answered = Array.from({ length: 100 }, (_, i) => recorder.record(allow(i), undefined, 0));
    expect(h.writer.healthy()).toBe(true);
    expect(answered.filter((d) => d.allowed)).toHaveLength(20);
    expect(answered.filter((d) => d.reason === "audit_unavailable")).toHaveLength(80);
    expect(await h.metric("modelgate_audit_fail_mode_total", { mode: "closed" })).toBe(80);
    expect(await h.metric("modelgate_audit_rejected_total", { cause: "buffer_full" })).toBe(80); // the refusals' own records
    sink.release();
    expect(await h.writer.flush(3000)).toBe(true);
    expect(decisionIds(sink.lines, "allow")).toHaveLength(20);
  });

  it("failMode open: decisions stay allowed, and each one without a record is counted", async () => {
    const sink = new ControlledSink();
    sink.mode = "hang";
    const h = await make(sink, { writeTimeoutMs: 60_000, buffer: { maxRecords: 5, maxBytes: 1024 * 1024 } });
    const recorder = h.recorder("open");
    const answered = Array.from({ length: 30 }, (_, i) => recorder.record(allow(i), undefined, 0));
    expect(recorder.admits()).toBe(true);
    expect(answered.every((d) => d.allowed)).toBe(true);
    expect(await h.metric("modelgate_audit_fail_mode_total", { mode: "open" })).toBe(25);
    sink.release();
  });

  it("denials are never turned into anything else, whatever the audit log's state", async () => {
    const sink = new ControlledSink();
    sink.mode = "hang";
    const h = await make(sink, { writeTimeoutMs: 60_000, buffer: { maxRecords: 1, maxBytes: 1024 * 1024 } });
    const recorder = h.recorder("closed");
    recorder.record(allow(0), undefined, 0);
    const deny = allowed({ id: "x" });
    const d: Decision = { ...deny, allowed: false, reason: "policy_denied", detail: "no", challenge: undefined };
    expect(recorder.record(d, undefined, 0)).toBe(d);
    sink.release();
  });

  it("close: flushes within the deadline; with a hung sink returns at the deadline and counts the loss", async () => {
    const sink = new ControlledSink();
    sink.mode = "hang";
    const h = await harness(sink, { writeTimeoutMs: 50 });
    for (let i = 0; i < 5; i += 1) h.writer.record(decisionEvent(i));
    const started = Date.now();
    const result = await h.writer.close(300);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result).toEqual({ flushed: false, lost: 6 }); // 5 records and the closing checkpoint
    expect(await h.metric("modelgate_audit_records_lost_total")).toBe(6);
    expect(h.writer.record(decisionEvent(9))).toBe("rejected");
    expect(await h.metric("modelgate_audit_rejected_total", { cause: "closing" })).toBe(1);
  });
});

// Events are accepted at once and sealed at the end of the event loop's turn, so a turn's
// answers leave before its records are hashed; nothing a caller reads may tell the difference.
describe("audit writer: sealing at the end of the turn", () => {
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  it("seals in the order events were accepted, across turns and reads", async () => {
    const sink = new ControlledSink();
    const h = await make(sink);
    h.writer.record(decisionEvent(0));
    h.writer.record(decisionEvent(1));
    expect(h.writer.head().seq).toBe(1); // a read seals what is pending first
    h.writer.record(decisionEvent(2));
    await nextTurn();
    h.writer.record(decisionEvent(3));
    expect(await h.writer.flush(2000)).toBe(true);
    expect(decisionIds(sink.lines, "allow")).toEqual(["d-0", "d-1", "d-2", "d-3"]);
    expect(verifyAuditLines(asLines(sink.lines), VERIFY).ok).toBe(true);
  });

  it("counts the records a turn has not sealed yet against the buffer's record bound", async () => {
    const h = await make(new ControlledSink(), { writeTimeoutMs: 60_000, buffer: { maxRecords: 5, maxBytes: 1024 * 1024 } });
    for (let i = 0; i < 5; i += 1) expect(h.writer.record(decisionEvent(i))).toBe("accepted");
    expect(h.writer.canAccept()).toBe(false);
    expect(h.writer.record(decisionEvent(5))).toBe("rejected");
    expect(await h.metric("modelgate_audit_rejected_total", { cause: "buffer_full" })).toBe(1);
  });

  it("counts an unsealed record at 2 KiB against the byte bound, and a sealed one at its size", async () => {
    const h = await make(new ControlledSink(), { writeTimeoutMs: 60_000, buffer: { maxRecords: 100, maxBytes: 4 * 2048 } });
    for (let i = 0; i < 4; i += 1) expect(h.writer.record(decisionEvent(i))).toBe("accepted");
    expect(h.writer.record(decisionEvent(4))).toBe("rejected");
    await nextTurn();
    // Sealed, the four records take what they measure (a decision record is well under 2 KiB).
    expect(h.writer.bufferedBytes()).toBeLessThan(4 * 2048);
    expect(h.writer.record(decisionEvent(5))).toBe("accepted");
  });

  it("reports an accepted event it cannot seal and counts it lost; the chain goes on without a gap", async () => {
    const sink = new ControlledSink();
    const errors: string[] = [];
    const h = await make(sink, { onError: (message) => errors.push(message) });
    expect(h.writer.record({ ...decisionEvent(0), duration_us: 1.5 })).toBe("accepted"); // a fraction: a builder's bug
    expect(h.writer.record(decisionEvent(1))).toBe("accepted");
    expect(await h.writer.flush(2000)).toBe(true);
    expect(errors).toEqual(["an accepted decision audit event could not be sealed and is lost (a bug)"]);
    expect(await h.metric("modelgate_audit_records_lost_total")).toBe(1);
    expect(decisionIds(sink.lines, "allow")).toEqual(["d-1"]);
    expect(verifyAuditLines(asLines(sink.lines), VERIFY).ok).toBe(true);
  });

  it("throws at the caller for an event carrying a key the chain's envelope owns", async () => {
    const h = await make(new ControlledSink());
    expect(() => h.writer.record({ ...decisionEvent(0), seq: 7 })).toThrow(/envelope key "seq"/);
  });
});
