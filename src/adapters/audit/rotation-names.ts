import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

// File names of a rotated audit chain. The configured path `/var/log/modelgate/audit.jsonl`
// names the set; its files are `audit.000001.jsonl`, `audit.000002.jsonl`, … in chain order
// (the number grows past six digits if it must). The highest number is the file being written.

export interface RotationFile {
  readonly path: string;
  readonly index: number;
}

const EXTENSION = ".jsonl";

function stemOf(configured: string): string {
  const name = basename(configured);
  return name.endsWith(EXTENSION) ? name.slice(0, -EXTENSION.length) : name;
}

export function rotationPath(configured: string, index: number): string {
  return join(dirname(configured), `${stemOf(configured)}.${String(index).padStart(6, "0")}${EXTENSION}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// Every file of the set, in chain order; empty when the directory or the files do not exist.
export async function listRotation(configured: string): Promise<RotationFile[]> {
  const pattern = new RegExp(`^${escapeRegExp(stemOf(configured))}\\.(\\d{6,})${escapeRegExp(EXTENSION)}$`);
  let names: string[];
  try {
    names = await readdir(dirname(configured));
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const files: RotationFile[] = [];
  for (const name of names) {
    const match = pattern.exec(name);
    if (match?.[1] !== undefined) files.push({ path: join(dirname(configured), name), index: Number(match[1]) });
  }
  return files.sort((a, b) => a.index - b.index);
}
