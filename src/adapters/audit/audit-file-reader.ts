import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import type { AuditLine } from "../../core/audit/verify.ts";
import { listRotation } from "./rotation-names.ts";

// Reads audit files line by line for the verifier, in bounded memory, and finds the files of a
// rotated chain from a directory or from the configured path.

export interface LineSink {
  line(line: AuditLine): void;
  incompleteLine(line: AuditLine): void;
}

// Records are at most 8 KiB; a longer line is not one, and is cut so a hostile file cannot
// make the verifier hold gigabytes (the cut line fails as malformed).
const MAX_LINE = 1024 * 1024;

export async function readLines(name: string, stream: Readable, sink: LineSink): Promise<void> {
  stream.setEncoding("utf8");
  let carry = "";
  let lineNo = 0;
  for await (const chunk of stream as AsyncIterable<string>) {
    const parts = (carry + chunk).split("\n");
    carry = parts.pop() ?? "";
    for (const text of parts) sink.line({ file: name, line: (lineNo += 1), text: text.slice(0, MAX_LINE) });
    if (carry.length > MAX_LINE) carry = carry.slice(0, MAX_LINE);
  }
  if (carry !== "") sink.incompleteLine({ file: name, line: lineNo + 1, text: carry });
}

export function readFileLines(name: string, path: string, sink: LineSink): Promise<void> {
  return readLines(name, createReadStream(path), sink);
}

export type Resolved = { readonly ok: true; readonly files: readonly string[] } | { readonly ok: false; readonly error: string };

const ROTATED = /^(.*)\.(\d{6,})\.jsonl$/;

// A file is itself; a directory is its rotated audit files (`<stem>.<NNNNNN>.jsonl`, by stem
// then number); a path that does not exist is a configured path naming a rotation set.
export async function resolveAuditPaths(args: readonly string[], cwd: string): Promise<Resolved> {
  const files: string[] = [];
  for (const arg of args) {
    const path = resolve(cwd, arg);
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile() === true) {
      files.push(arg);
    } else if (info?.isDirectory() === true) {
      files.push(...(await rotatedFilesIn(path)).map((f) => join(arg, f)));
    } else {
      const set = await listRotation(path);
      if (set.length === 0) return { ok: false, error: `${arg}: no such file, and no rotated audit files named after it` };
      files.push(...set.map((f) => join(dirname(arg), basename(f.path))));
    }
  }
  return { ok: true, files };
}

async function rotatedFilesIn(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => ROTATED.test(n));
  const key = (n: string): [string, number] => {
    const m = ROTATED.exec(n);
    return [m?.[1] ?? "", Number(m?.[2] ?? 0)];
  };
  return names.sort((a, b) => {
    const [sa, na] = key(a);
    const [sb, nb] = key(b);
    return sa < sb ? -1 : sa > sb ? 1 : na - nb;
  });
}
