import type { SealedRecord } from "../../core/audit/chain.ts";

// A batch as the bytes a sink writes: every record's line and a newline, encoded straight into
// one buffer sized from the byte counts the records carry. Joining the lines into one string
// first cost more than sealing them: a full batch is a half-megabyte string, built, flattened
// and then encoded again.
export function batchBytes(records: readonly SealedRecord[]): Buffer {
  let size = 0;
  for (const record of records) size += record.bytes;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const record of records) {
    const written = out.write(record.line, at, "utf8");
    // A wrong count would cut a line or leave unwritten memory in the output: a bug, never written.
    if (written !== record.bytes - 1)
      throw new Error(`audit record seq ${record.seq}: ${record.bytes - 1} bytes expected, ${written} encoded`);
    at += written;
    out[at] = 0x0a;
    at += 1;
  }
  return out;
}
