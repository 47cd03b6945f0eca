import { open } from "node:fs/promises";
import type { ChainHead } from "../../core/audit/chain.ts";
import { parseAuditLine } from "../../core/audit/parse-record.ts";

// Reads the last record of an audit file, so a restarted writer continues the chain.
// Records are at most 8 KiB (checkpoints far less), so the last 64 KiB always hold one whole.

const TAIL_BYTES = 64 * 1024;

export interface FileTail {
  readonly size: number;
  readonly head: ChainHead | undefined; // undefined for an empty file
  readonly endsMidLine: boolean; // an interrupted write left a partial last line
}

export async function readFileTail(path: string): Promise<FileTail> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    if (size === 0) return { size, head: undefined, endsMidLine: false };
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString("utf8");
    const endsMidLine = !text.endsWith("\n");
    const lines = text.split("\n");
    lines.pop(); // "" after the final newline, or the partial line
    const last = lines.at(-1);
    // The first line of the window may be cut; it is only used when it starts the file.
    if (last === undefined || (lines.length === 1 && length < size)) {
      if (endsMidLine && lines.length === 0 && length === size) return { size, head: undefined, endsMidLine };
      throw new Error(`${path}: no complete record in the last ${TAIL_BYTES} bytes`);
    }
    const parsed = parseAuditLine(last);
    if (!parsed.ok) throw new Error(`${path}: the last record cannot be read (${parsed.error}); move the file aside to start a new chain`);
    const { chain, seq, hash } = parsed.value;
    return { size, head: { chain, seq, hash }, endsMidLine };
  } finally {
    await handle.close();
  }
}
