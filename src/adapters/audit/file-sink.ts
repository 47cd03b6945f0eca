import { mkdir, open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import type { ChainHead, SealedRecord } from "../../core/audit/chain.ts";
import type { AuditSink } from "../../core/audit/sink.ts";
import { batchBytes } from "./batch-bytes.ts";
import { readFileTail } from "./file-tail.ts";
import { listRotation, rotationPath } from "./rotation-names.ts";

// JSON lines in numbered files (rotation-names.ts), rotated by size and age; the chain simply
// continues in the next file. Durability (fsync "batch", the default): a batch is written with
// one write, then fdatasync'd before `append` resolves; a new file's directory entry is fsync'd
// too. With fsync "none" the OS decides when data reaches the disk (faster; a crash of the
// machine can lose the last seconds). A failed write is cut back to the last whole batch, so a
// retry never leaves half a record in the middle of a file; if even that fails, the next batch
// starts a new file and the verifier sees only an interrupted last line.

export interface FileSinkOptions {
  readonly path: string; // the configured path naming the set, e.g. /var/log/modelgate/audit.jsonl
  readonly maxBytes: number;
  readonly maxAgeSeconds: number; // 0: by size only
  readonly fsync: "batch" | "none";
  readonly now: () => number;
}

interface OpenFile {
  readonly handle: FileHandle;
  readonly index: number;
  readonly openedAt: number;
  size: number;
}

export function createFileSink(options: FileSinkOptions): AuditSink {
  return new FileSink(options);
}

class FileSink implements AuditSink {
  readonly name = "file";
  private readonly options: FileSinkOptions;
  private current: OpenFile | undefined;
  private nextIndex = 1;
  private reuse: { index: number; size: number } | undefined; // the resumed file, if appendable
  private dirty = false; // a failed write could not be cut back

  constructor(options: FileSinkOptions) {
    this.options = options;
  }

  async append(records: readonly SealedRecord[]): Promise<void> {
    const data = batchBytes(records);
    const file = await this.fileFor(data.length);
    try {
      await writeAll(file.handle, data);
      if (this.options.fsync === "batch") await file.handle.datasync();
      file.size += data.length;
    } catch (error: unknown) {
      this.dirty = !(await cutBack(file));
      throw error;
    }
  }

  async resume(): Promise<ChainHead | undefined> {
    await mkdir(dirname(this.options.path), { recursive: true });
    const files = await listRotation(this.options.path);
    this.nextIndex = (files.at(-1)?.index ?? 0) + 1;
    for (const file of files.reverse()) {
      const tail = await readFileTail(file.path);
      // A file ending mid-line is left as it is: the chain continues in a new file.
      if (file.index === this.nextIndex - 1 && !tail.endsMidLine) this.reuse = { index: file.index, size: tail.size };
      if (tail.head !== undefined) return tail.head;
    }
    return undefined;
  }

  async close(): Promise<void> {
    await this.current?.handle.close();
    this.current = undefined;
  }

  private async fileFor(batchBytes: number): Promise<OpenFile> {
    const current = this.current;
    if (current !== undefined && !this.dirty && !rotationDue(current, batchBytes, this.options)) return current;
    this.current = undefined;
    this.dirty = false;
    if (current !== undefined) await current.handle.close();
    const reuse = this.reuse;
    this.reuse = undefined;
    const opened = reuse === undefined ? await this.openIndex(this.nextIndex, undefined) : await this.openIndex(reuse.index, reuse);
    this.nextIndex = opened.index + 1;
    this.current = opened;
    return opened;
  }

  // A new file is created exclusively ("ax"): an existing file is never appended to by mistake.
  private async openIndex(index: number, reuse: { size: number } | undefined): Promise<OpenFile> {
    const handle = await open(rotationPath(this.options.path, index), reuse === undefined ? "ax" : "a");
    if (reuse === undefined && this.options.fsync === "batch") await fsyncDirectory(dirname(this.options.path));
    return { handle, index, openedAt: this.options.now(), size: reuse?.size ?? 0 };
  }
}

function rotationDue(file: OpenFile, batchBytes: number, options: FileSinkOptions): boolean {
  if (file.size > 0 && file.size + batchBytes > options.maxBytes) return true;
  return options.maxAgeSeconds > 0 && options.now() - file.openedAt >= options.maxAgeSeconds * 1000;
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

async function cutBack(file: OpenFile): Promise<boolean> {
  try {
    await file.handle.truncate(file.size);
    return true;
  } catch {
    return false; // reported through the append's own error; the next batch opens a new file
  }
}

async function fsyncDirectory(path: string): Promise<void> {
  const dir = await open(path, "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
