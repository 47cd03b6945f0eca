import { randomBytes } from "node:crypto";
import { chmod, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { isSeq, parseDocument } from "yaml";
import { err, ok } from "../../core/result.ts";
import type { Issue, Result } from "../../core/result.ts";
import { parseKeyFileText } from "./key-file.ts";

// `modelgate keys create --append FILE`: add one record to a key file the running server
// watches. The file must be valid before, the result is checked with the server's own parser
// (duplicate ids included) before anything is written, and it replaces the file in one rename,
// so the server never reads a half-written file and never keeps an old set because of a paste.

const EMPTY_KEY_FILE = "keys: []\n";

// The new text: the record appended to the `keys:` list, comments and other records kept.
export function appendRecordToText(text: string, record: Record<string, unknown>, fileName: string): Result<string, Issue[]> {
  const before = parseKeyFileText(text, fileName);
  if (!before.ok) return before;
  const doc = parseDocument(text, { version: "1.2" });
  const list = doc.get("keys", true);
  if (!isSeq(list)) return err([{ path: `${fileName}:keys`, message: "must be a list of key records" }]);
  list.flow = false; // `keys: []` grows into a block list like the ones keys create prints
  list.items.push(doc.createNode(record));
  const after = doc.toString();
  const check = parseKeyFileText(after, fileName);
  if (!check.ok) return check;
  return check.value.length === before.value.length + 1
    ? ok(after)
    : err([{ path: fileName, message: "the record did not land in the keys list" }]);
}

export async function appendKeyRecord(path: string, record: Record<string, unknown>): Promise<Result<string, string>> {
  const current = await readKeyFileText(path);
  if (!current.ok) return current;
  const next = appendRecordToText(current.value, record, path);
  if (!next.ok) return err(`${path} was left unchanged: ${next.error.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  return writeAtomically(path, next.value);
}

async function readKeyFileText(path: string): Promise<Result<string, string>> {
  try {
    return ok(await readFile(path, "utf8"));
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return ok(EMPTY_KEY_FILE);
    return err(`cannot read ${path}: ${describe(error)}`);
  }
}

// A temporary file beside the target, then rename: readers see the old file or the new one.
async function writeAtomically(path: string, text: string): Promise<Result<string, string>> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const mode = await stat(path).then(
      (s) => s.mode & 0o777,
      () => 0o600,
    );
    await writeFile(temporary, text, { mode, flag: "wx", flush: true });
    await chmod(temporary, mode);
    await rename(temporary, path);
    return ok(path);
  } catch (error: unknown) {
    await rm(temporary, { force: true });
    return err(`cannot write ${path}: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
