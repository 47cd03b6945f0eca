import { assertNoEnvelopeKey, genesisHead, sealEvent, type ChainHead } from "../../core/audit/chain.ts";
import { sealCheckpoint, type CheckpointSigner } from "../../core/audit/checkpoint.ts";
import { isoTime, type AuditEvent } from "../../core/audit/event.ts";
import type { AuditSink } from "../../core/audit/sink.ts";
import { err, ok, type Result } from "../../core/result.ts";
import { AuditBuffer } from "./audit-buffer.ts";
import type { AuditMetrics } from "./audit-metrics.ts";

// Takes audit events off the hot path. `record` accepts the event into the bounded buffer at
// once (or refuses it); the events accepted in one turn of the event loop are sealed into the
// chain (a serialization and a hash each) together at the end of that turn, in the order they
// were accepted. That is after Node has sent the turn's answers, which so leave without waiting
// for their records' sealing (Decision 68). Reading the writer (head, flush, close, the buffer's
// size) seals what is pending first, so no caller sees the difference. A background loop
// writes batches, one at a time, retrying a failed batch with backoff. The writer is unhealthy
// while a batch has been pending at the sink for longer than writeTimeoutMs (a hung or failing
// sink) — allowed decisions then fail closed (audit-recorder.ts) — and it refuses records when
// the buffer is full.

export interface AuditWriterOptions {
  readonly sink: AuditSink;
  readonly replica: string; // names a new chain, and asks the sink for the chain to resume
  readonly chainId: string; // "" = `${replica}@${start time}` for a new chain
  readonly signer: CheckpointSigner | undefined;
  readonly checkpoint: { readonly everyRecords: number; readonly everySeconds: number };
  readonly buffer: { readonly maxRecords: number; readonly maxBytes: number };
  readonly batch: { readonly maxRecords: number; readonly maxBytes: number; readonly flushIntervalMs: number };
  readonly writeTimeoutMs: number;
  readonly metrics: AuditMetrics;
  readonly now: () => number; // wall clock, epoch ms
  readonly onCheckpoint?: (line: string) => void; // e.g. copy it to the log as an independent witness
  readonly onError?: (message: string, error: unknown) => void;
  readonly retry?: { readonly minMs: number; readonly maxMs: number };
}

export interface AuditWriter {
  readonly chain: string;
  record(event: AuditEvent): "accepted" | "rejected";
  healthy(): boolean;
  canAccept(): boolean; // healthy and room in the buffer: an allowed decision may proceed
  head(): ChainHead;
  bufferedRecords(): number;
  bufferedBytes(): number;
  // Resolves true once every record accepted before the call is written; false at the deadline.
  flush(timeoutMs: number): Promise<boolean>;
  // Stops accepting, seals a final checkpoint, flushes within the deadline, closes the sink.
  close(timeoutMs: number): Promise<{ readonly flushed: boolean; readonly lost: number }>;
}

// What an event not yet sealed is counted as against the buffer's byte bound: a decision record
// is usually under 1 KiB and at most 8 KiB (record.ts), so a turn's records can overrun the
// bound by a few KiB at most, and never its count of records.
const TYPICAL_RECORD_BYTES = 2048;

export async function startAuditWriter(options: AuditWriterOptions): Promise<Result<AuditWriter, string>> {
  let resumed: ChainHead | undefined;
  try {
    resumed = await options.sink.resume(options.replica);
  } catch (error: unknown) {
    return err(
      `cannot resume the audit chain from the ${options.sink.name} sink: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const chain = options.chainId !== "" ? options.chainId : `${options.replica}@${isoTime(options.now())}`;
  return ok(new Writer(options, resumed ?? genesisHead(chain)));
}

interface Waiter {
  readonly seq: number;
  readonly resolve: (done: boolean) => void;
}

class Writer implements AuditWriter {
  readonly chain: string;
  private readonly o: AuditWriterOptions;
  private readonly buffer: AuditBuffer;
  private chainHead: ChainHead;
  private writtenSeq: number;
  private sinceCheckpoint = 0;
  private lastCheckpointAt: number;
  private pendingSince: number | undefined; // first attempt of the batch not yet written
  private failures = 0;
  private writing = false;
  private closing = false;
  private closed = false; // after close(): no more timers, whatever a late write does
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private waiters: Waiter[] = [];
  private pending: AuditEvent[] = []; // accepted, not yet sealed: sealed at the end of the turn
  private sealScheduled = false;

  constructor(options: AuditWriterOptions, head: ChainHead) {
    this.o = options;
    this.chain = head.chain;
    this.chainHead = head;
    this.writtenSeq = head.seq;
    this.lastCheckpointAt = options.now();
    this.buffer = new AuditBuffer(options.buffer);
    options.metrics.watch(this);
  }

  record(event: AuditEvent): "accepted" | "rejected" {
    if (this.closing) {
      this.o.metrics.rejected(event.type, "closing");
      return "rejected";
    }
    if (!this.hasRoomForOneMore()) {
      this.o.metrics.rejected(event.type, "buffer_full");
      return "rejected";
    }
    assertNoEnvelopeKey(event); // a bug: thrown to the caller, as when events were sealed here
    this.pending.push(event);
    this.o.metrics.accepted(event.type);
    if (!this.sealScheduled) {
      this.sealScheduled = true;
      setImmediate(this.sealAtTurnEnd);
    }
    return "accepted";
  }

  private readonly sealAtTurnEnd = (): void => {
    this.sealScheduled = false;
    this.sealPending();
  };

  // Room checked when an event is accepted, so sealing never refuses one.
  private sealPending(): void {
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    for (const event of events) {
      const sealed = this.seal(event);
      if (sealed === undefined) continue;
      this.buffer.push(sealed.record);
      this.chainHead = sealed.head;
      this.sinceCheckpoint += 1;
      // Exactly every N records: one Ed25519 signature (~40 µs here) per N decisions.
      if (this.sinceCheckpoint >= this.o.checkpoint.everyRecords) this.addCheckpoint();
    }
    this.schedule(this.buffer.length >= this.o.batch.maxRecords ? 0 : this.o.batch.flushIntervalMs);
  }

  // Sealing throws only on an event outside canonical JSON (a fraction, say): a bug in the
  // event's builder, found after the event was accepted. It is reported and counted as lost
  // rather than thrown out of the turn's end, where it would stop the process.
  private seal(event: AuditEvent): ReturnType<typeof sealEvent> | undefined {
    try {
      return sealEvent(this.chainHead, event);
    } catch (error: unknown) {
      this.o.metrics.lost(1);
      this.o.onError?.(`an accepted ${event.type} audit event could not be sealed and is lost (a bug)`, error);
      return undefined;
    }
  }

  private hasRoomForOneMore(): boolean {
    const records = this.pending.length + 1;
    return this.buffer.hasRoomFor(records * TYPICAL_RECORD_BYTES, records);
  }

  healthy(): boolean {
    return this.pendingSince === undefined || this.o.now() - this.pendingSince < this.o.writeTimeoutMs;
  }

  canAccept(): boolean {
    return !this.closing && this.healthy() && this.hasRoomForOneMore();
  }

  head(): ChainHead {
    this.sealPending();
    return this.chainHead;
  }

  bufferedRecords(): number {
    this.sealPending();
    return this.buffer.length;
  }

  bufferedBytes(): number {
    this.sealPending();
    return this.buffer.bytes;
  }

  flush(timeoutMs: number): Promise<boolean> {
    this.sealPending();
    const seq = this.chainHead.seq;
    if (this.writtenSeq >= seq) return Promise.resolve(true);
    this.schedule(0);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push({ seq, resolve: (done) => (clearTimeout(timer), resolve(done)) });
    });
  }

  async close(timeoutMs: number): Promise<{ flushed: boolean; lost: number }> {
    const deadline = Date.now() + timeoutMs;
    this.closing = true;
    this.sealPending();
    if (this.sinceCheckpoint > 0) this.addCheckpoint();
    const flushed = await this.flush(timeoutMs);
    this.closed = true;
    clearTimeout(this.timer);
    const lost = flushed ? 0 : this.buffer.length;
    if (lost > 0) {
      this.o.metrics.lost(lost);
      this.o.onError?.(`${lost} audit records were not written before the shutdown deadline`, undefined);
    }
    await Promise.race([
      this.o.sink.close().catch((e: unknown) => this.o.onError?.("closing the audit sink failed", e)),
      sleep(Math.max(0, deadline - Date.now())),
    ]);
    return { flushed, lost };
  }

  private addCheckpoint(): void {
    const sealed = sealCheckpoint(this.chainHead, this.o.now(), this.o.signer);
    this.buffer.push(sealed.record);
    this.chainHead = sealed.head;
    this.sinceCheckpoint = 0;
    this.lastCheckpointAt = this.o.now();
    this.o.metrics.checkpointed();
    this.o.onCheckpoint?.(sealed.record.line);
  }

  private checkpointDue(): boolean {
    if (this.sinceCheckpoint === 0) return false;
    return (
      this.sinceCheckpoint >= this.o.checkpoint.everyRecords ||
      this.o.now() - this.lastCheckpointAt >= this.o.checkpoint.everySeconds * 1000
    );
  }

  // One timer: the earliest of the next flush, retry or checkpoint.
  private schedule(delayMs: number): void {
    if (this.closed) return;
    const at = Date.now() + delayMs;
    if (this.timer !== undefined && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      void this.pump();
    }, delayMs);
    this.timer.unref();
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    this.sealPending();
    if (this.checkpointDue()) this.addCheckpoint();
    const batch = this.buffer.peekBatch(this.o.batch.maxRecords, this.o.batch.maxBytes);
    if (batch.length === 0) return this.idle();
    this.writing = true;
    this.pendingSince ??= this.o.now();
    try {
      await this.o.sink.append(batch);
      this.written(batch.length, (batch.at(-1) as { seq: number }).seq);
    } catch (error: unknown) {
      this.failures += 1;
      this.o.metrics.writeFailed();
      this.o.onError?.(`the ${this.o.sink.name} audit sink failed to write ${batch.length} records; retrying`, error);
    } finally {
      this.writing = false;
    }
    if (this.failures > 0) return this.schedule(this.backoffMs());
    this.schedule(this.buffer.length >= this.o.batch.maxRecords || this.closing ? 0 : this.o.batch.flushIntervalMs);
  }

  private written(count: number, lastSeq: number): void {
    this.buffer.drop(count);
    this.writtenSeq = lastSeq;
    this.pendingSince = undefined;
    this.failures = 0;
    this.o.metrics.written(count);
    const done = this.waiters.filter((w) => w.seq <= lastSeq);
    this.waiters = this.waiters.filter((w) => w.seq > lastSeq);
    for (const w of done) w.resolve(true);
  }

  private idle(): void {
    if (this.sinceCheckpoint > 0) this.schedule(Math.max(0, this.lastCheckpointAt + this.o.checkpoint.everySeconds * 1000 - this.o.now()));
  }

  private backoffMs(): number {
    const { minMs, maxMs } = this.o.retry ?? { minMs: 20, maxMs: 1000 };
    return Math.min(maxMs, minMs * 2 ** Math.min(this.failures - 1, 16));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
