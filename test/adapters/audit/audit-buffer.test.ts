import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { AuditBuffer } from "../../../src/adapters/audit/audit-buffer.ts";
import type { SealedRecord } from "../../../src/core/audit/chain.ts";

function record(seq: number): SealedRecord {
  const line = `{"seq":${seq},"text":"${"x".repeat(100)}"}`;
  return { chain: "c", seq, type: "decision", hash: "h", line, bytes: line.length + 1 };
}

// A full collection on demand, without starting the test process with --expose-gc.
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

// Outside the async test, so its suspended frame holds none of the records.
function pushWatched(buffer: AuditBuffer, count: number): WeakRef<SealedRecord>[] {
  const refs: WeakRef<SealedRecord>[] = [];
  for (let seq = 0; seq < count; seq += 1) {
    const r = record(seq);
    refs.push(new WeakRef(r));
    buffer.push(r);
  }
  return refs;
}

const nextTask = () => new Promise((resolve) => setImmediate(resolve));

describe("AuditBuffer", () => {
  it.each([
    { pushed: 10, dropped: 4, batch: [4, 5, 6, 7, 8, 9] },
    { pushed: 3, dropped: 3, batch: [] },
    { pushed: 2000, dropped: 1990, batch: [1990, 1991, 1992, 1993, 1994, 1995, 1996, 1997, 1998, 1999] },
  ])("keeps the unwritten records in order after $dropped of $pushed are written", ({ pushed, dropped, batch }) => {
    const buffer = new AuditBuffer({ maxRecords: 10_000, maxBytes: 10_000_000 });
    for (let seq = 0; seq < pushed; seq += 1) buffer.push(record(seq));
    buffer.drop(dropped);
    expect(buffer.length).toBe(pushed - dropped);
    expect(buffer.bytes).toBe(batch.reduce((sum, seq) => sum + record(seq).bytes, 0));
    expect(buffer.peekBatch(100, 1_000_000).map((r) => r.seq)).toEqual(batch);
  });

  it("has no room past its bounds, and keeps a record placed anyway", () => {
    const buffer = new AuditBuffer({ maxRecords: 2, maxBytes: 10_000 });
    expect(buffer.hasRoomFor(record(0).bytes)).toBe(true);
    buffer.push(record(0));
    expect(buffer.hasRoomFor(record(1).bytes)).toBe(true);
    expect(buffer.hasRoomFor(2 * record(1).bytes, 2)).toBe(false);
    buffer.push(record(1));
    expect(buffer.hasRoomFor(record(2).bytes)).toBe(false);
    expect(buffer.hasRoomFor(10_000, 0)).toBe(false); // the byte bound alone
    buffer.push(record(3));
    expect(buffer.length).toBe(3);
  });

  // A written record must not stay reachable until the array is compacted: kept for a second
  // or two, it survives young collections and is promoted (the tail-latency retention found by
  // bench/heap-retainers.ts).
  it("holds no reference to a record once it is written", async () => {
    const buffer = new AuditBuffer({ maxRecords: 10_000, maxBytes: 10_000_000 });
    const written = pushWatched(buffer, 10);
    buffer.push(record(10)); // still pending
    buffer.drop(10);
    await nextTask(); // WeakRefs created in this task stay alive until it ends
    collectGarbage();
    expect(written.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    expect(buffer.peekBatch(10, 1_000_000).map((r) => r.seq)).toEqual([10]);
  });
});
