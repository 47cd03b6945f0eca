import type { SealedRecord } from "../../core/audit/chain.ts";

// The bounded queue between decisions and the sink: at most `maxRecords` records and `maxBytes`
// bytes, as `hasRoomFor` tells the writer when it accepts an event. Checkpoints may exceed the
// bounds: at most one is added per interval, and refusing one would leave the tail unsigned.

export interface BufferLimits {
  readonly maxRecords: number;
  readonly maxBytes: number;
}

export class AuditBuffer {
  readonly limits: BufferLimits;
  // Written slots are cleared at once: a record kept until the array is compacted outlives
  // young-generation collections and is promoted (bench/heap-retainers.ts found ≈ 1 MB so).
  private items: (SealedRecord | undefined)[] = [];
  private head = 0; // index of the oldest unwritten record (amortised O(1) removal)
  private byteCount = 0;

  constructor(limits: BufferLimits) {
    this.limits = limits;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.byteCount;
  }

  // Room for `records` more records of `bytes` bytes in all.
  hasRoomFor(bytes: number, records = 1): boolean {
    return this.length + records <= this.limits.maxRecords && this.byteCount + bytes <= this.limits.maxBytes;
  }

  // Places a record whatever the bounds: the writer asks hasRoomFor when it accepts an event,
  // before the record exists (sealing comes later), and a checkpoint is never refused.
  push(record: SealedRecord): void {
    this.items.push(record);
    this.byteCount += record.bytes;
  }

  // The oldest records, up to the batch bounds (always at least one when not empty).
  peekBatch(maxRecords: number, maxBytes: number): SealedRecord[] {
    const batch: SealedRecord[] = [];
    let bytes = 0;
    for (let i = this.head; i < this.items.length && batch.length < maxRecords; i += 1) {
      const record = this.items[i] as SealedRecord;
      if (batch.length > 0 && bytes + record.bytes > maxBytes) break;
      batch.push(record);
      bytes += record.bytes;
    }
    return batch;
  }

  drop(count: number): void {
    for (let i = 0; i < count && this.head < this.items.length; i += 1) {
      this.byteCount -= (this.items[this.head] as SealedRecord).bytes;
      this.items[this.head] = undefined;
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
