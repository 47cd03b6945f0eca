import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { parseArgs } from "node:util";
import type { CheckpointPublicKey } from "../core/audit/checkpoint.ts";
import { createAuditVerifier, type AuditVerifier } from "../core/audit/verify.ts";
import { where, type ChainSummary, type VerifyReport } from "../core/audit/verify-report.ts";
import { err, ok, type Result } from "../core/result.ts";
import { readFileLines, readLines, resolveAuditPaths } from "../adapters/audit/audit-file-reader.ts";
import { readPublicKey } from "../adapters/audit/audit-keys.ts";

export interface AuditVerifyIo {
  stdout(s: string): void;
  stderr(s: string): void;
  readonly cwd: string;
  readonly stdin: Readable;
}

export const AUDIT_VERIFY_USAGE = `Usage: modelgate audit verify [options] PATH...

Checks a hash-chained audit log: every record's hash, seq continuity, the links between
records, and (with --public-key) every checkpoint's Ed25519 signature. Names the first bad
record by file, line and seq.

PATH is an audit file, a directory of rotated files (<name>.000001.jsonl, …), the configured
audit path (audit.jsonl stands for audit.000001.jsonl, audit.000002.jsonl, …), or - for stdin.
Files are read in the order given; a chain continues across them. Lines that are not audit
records (application logs beside the stdout sink, as \`npm start\` or \`kubectl logs\` show
them) are skipped and counted; a line that claims to be a record (a JSON object with two of
chain, seq, prev and hash, or text naming two of them) must be a valid one.

  --public-key FILE           Ed25519 public key (PEM) checkpoints must be signed with (repeatable)
  --checkpoints FILE          independent copies of checkpoints, e.g. the server log with its
                              "audit_checkpoint" lines: detects a truncated tail (repeatable)
  --require-checkpoint-at-end fail when the last records are not covered by a checkpoint
  --allow-partial-start       accept chains that do not start at seq 0 (old files removed,
                              a trimmed Redis Stream)
  --mixed                     accepted for compatibility; non-audit lines are always skipped
  --json                      print the report as JSON
  -h, --help                  show this help

Exit status: 0 the log verifies, 1 it was tampered with (or is empty), 2 usage or I/O error.
`;

const OPTIONS = {
  "public-key": { type: "string", multiple: true },
  checkpoints: { type: "string", multiple: true },
  "require-checkpoint-at-end": { type: "boolean" },
  "allow-partial-start": { type: "boolean" },
  mixed: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Parsed = ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true; allowPositionals: true }>>;

const OK = 0;
const TAMPERED = 1;
const USAGE = 2;

export async function runAuditVerify(args: readonly string[], io: AuditVerifyIo): Promise<number> {
  const parsed = parseFlags(args);
  if (!parsed.ok) return usage(io, parsed.error);
  const { values, positionals } = parsed.value;
  if (values.help === true) {
    io.stdout(AUDIT_VERIFY_USAGE);
    return OK;
  }
  if (positionals.length === 0) return usage(io, "give at least one audit file, directory or configured path");
  const keys = await loadKeys(values["public-key"] ?? [], io.cwd);
  if (!keys.ok) return usage(io, keys.error);
  const files = await resolveAuditPaths(
    positionals.filter((p) => p !== "-"),
    io.cwd,
  );
  if (!files.ok) return usage(io, files.error);
  const verifier = createAuditVerifier({
    keys: keys.value,
    requireCheckpointAtEnd: values["require-checkpoint-at-end"] === true,
    allowPartialStart: values["allow-partial-start"] === true,
    // Records share stdout with the logs by default; a skipped line cannot hide a record, since
    // a removed one leaves a gap in seq and prev.
    mixed: true,
  });
  const read = await feed(verifier, values.checkpoints ?? [], positionals, files.files, io);
  if (!read.ok) return usage(io, read.error);
  const report = verifier.finish();
  io.stdout(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : humanReport(report, keys.value.length > 0));
  return report.ok ? OK : TAMPERED;
}

function parseFlags(args: readonly string[]): Result<Parsed, string> {
  try {
    return ok(parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: true }));
  } catch (error: unknown) {
    // parseArgs reports unknown flags by throwing; this is the CLI boundary.
    return err(error instanceof Error ? error.message : String(error));
  }
}

async function loadKeys(paths: readonly string[], cwd: string): Promise<Result<CheckpointPublicKey[], string>> {
  const keys: CheckpointPublicKey[] = [];
  for (const path of paths) {
    const key = await readPublicKey(resolve(cwd, path));
    if (!key.ok) return key;
    keys.push(key.value);
  }
  return ok(keys);
}

// Witnesses first (they must be known before the chain is read), then the files in order.
async function feed(
  verifier: AuditVerifier,
  witnessFiles: readonly string[],
  positionals: readonly string[],
  files: readonly string[],
  io: AuditVerifyIo,
): Promise<Result<true, string>> {
  try {
    const asWitness = { line: (l: Parameters<AuditVerifier["witness"]>[0]) => verifier.witness(l), incompleteLine: () => undefined };
    for (const file of witnessFiles) await readFileLines(file, resolve(io.cwd, file), asWitness);
    if (positionals.includes("-")) await readLines("-", io.stdin, verifier);
    for (const file of files) await readFileLines(file, resolve(io.cwd, file), verifier);
    return ok(true);
  } catch (error: unknown) {
    return err(error instanceof Error ? error.message : String(error));
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function chainLine(c: ChainSummary, signed: boolean): string {
  const sigs = signed ? `, ${count(c.signaturesVerified, "signature")} verified` : "";
  const range = c.records === 0 ? "no valid records" : `seq ${c.firstSeq}–${c.lastSeq}, ${count(c.records, "record")}`;
  const dups = c.duplicates > 0 ? `, ${count(c.duplicates, "duplicate")} skipped` : "";
  const state = c.ok ? "" : " — verified up to here";
  return `  chain ${c.chain}: ${range}, ${count(c.checkpoints, "checkpoint")}${sigs}${dups}${state}\n`;
}

export function humanReport(report: VerifyReport, signed: boolean): string {
  const lines: string[] = [];
  const first = report.firstBad;
  if (first === null) {
    lines.push(`OK: ${count(report.records, "record")} in ${count(report.chains.length, "chain")} verify\n`);
  } else {
    lines.push(`TAMPERED: first bad record: ${where(first) || "(none)"}\n  ${first.kind}: ${first.message}\n`);
  }
  for (const c of report.chains) lines.push(chainLine(c, signed));
  for (const p of report.problems.slice(1)) lines.push(`  also ${p.kind} at ${where(p)}: ${p.message}\n`);
  if (report.skippedLines > 0) lines.push(`  ${report.skippedLines} non-audit ${report.skippedLines === 1 ? "line" : "lines"} skipped\n`);
  for (const w of report.warnings) lines.push(`warning: ${w}\n`);
  return lines.join("");
}

function usage(io: AuditVerifyIo, message: string): number {
  io.stderr(`modelgate audit verify: ${message}\nTry: modelgate audit verify --help\n`);
  return USAGE;
}
