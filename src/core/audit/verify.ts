import { recordHash } from "./chain.ts";
import { checkCheckpointSignature, type CheckpointPublicKey } from "./checkpoint.ts";
import { looksLikeAuditRecord, parseAuditLine, type ParsedRecord } from "./parse-record.ts";
import { ChainVerifier, type Located, type Witness } from "./verify-chain.ts";
import type { ChainSummary, Problem, VerifyReport } from "./verify-report.ts";

// The pure verifier behind `modelgate audit verify`. Lines arrive in order (files in rotation
// order); records of several chains may be interleaved (a Redis Stream export, a shared log).
// Independent checkpoints ("witnesses", e.g. the `audit_checkpoint` field of the server's log
// lines) must be given first: they let the verifier detect a truncated tail.

export interface AuditLine {
  readonly file: string;
  readonly line: number; // 1-based
  readonly text: string;
}

export interface VerifyOptions {
  readonly keys: readonly CheckpointPublicKey[]; // empty: checkpoint signatures are not checked
  readonly requireCheckpointAtEnd: boolean;
  readonly allowPartialStart: boolean;
  readonly mixed: boolean; // skip lines that are not audit records (stdout shared with logs)
}

export interface AuditVerifier {
  witness(line: AuditLine): void;
  line(line: AuditLine): void;
  incompleteLine(line: AuditLine): void; // a file's last line without "\n"
  finish(): VerifyReport;
}

// The log field that carries a copy of each checkpoint line.
export const WITNESS_FIELD = "audit_checkpoint";

export function createAuditVerifier(options: VerifyOptions): AuditVerifier {
  return new Verifier(options);
}

class Verifier implements AuditVerifier {
  private readonly options: VerifyOptions;
  private readonly chains = new Map<string, ChainVerifier>();
  private readonly witnesses = new Map<string, Map<number, Witness>>();
  private readonly problems: Problem[] = [];
  private readonly warnings: string[] = [];
  private ordinal = 0;
  private skipped = 0;

  constructor(options: VerifyOptions) {
    this.options = options;
  }

  witness(input: AuditLine): void {
    addWitness(input, this.options.keys, this.witnesses, this.warnings);
  }

  line(input: AuditLine): void {
    this.ordinal += 1;
    if (this.options.mixed && !looksLikeAuditRecord(input.text)) {
      if (input.text !== "") this.skipped += 1;
      return;
    }
    const parsed = input.text === "" ? { ok: false as const, error: "the line is empty" } : parseAuditLine(input.text);
    if (!parsed.ok) {
      this.problems.push({
        kind: "malformed",
        chain: null,
        seq: null,
        file: input.file,
        line: input.line,
        message: parsed.error,
        ordinal: this.ordinal,
      });
      return;
    }
    this.chainFor(parsed.value.chain).add(parsed.value, { file: input.file, line: input.line, ordinal: this.ordinal });
  }

  incompleteLine(input: AuditLine): void {
    if (parseAuditLine(input.text).ok) {
      this.warnings.push(`${input.file} does not end with a newline`);
      this.line(input);
      return;
    }
    this.warnings.push(`${input.file}:${input.line}: ignored an incomplete last line (an interrupted write)`);
  }

  finish(): VerifyReport {
    return finish([...this.chains.values()], this.problems, this.warnings, this.options, this.skipped);
  }

  private chainFor(id: string): ChainVerifier {
    let chain = this.chains.get(id);
    if (chain === undefined) {
      chain = new ChainVerifier(id, this.options, this.witnesses.get(id) ?? new Map());
      this.chains.set(id, chain);
    }
    return chain;
  }
}

function addWitness(
  input: AuditLine,
  keys: readonly CheckpointPublicKey[],
  witnesses: Map<string, Map<number, Witness>>,
  warnings: string[],
): void {
  const record = witnessRecord(input.text);
  if (record === undefined) return;
  const { hash: _h, ...rest } = record.object;
  const signature = keys.length === 0 ? "valid" : checkCheckpointSignature(record.object, keys);
  if (recordHash(rest) !== record.hash || signature !== "valid") {
    warnings.push(`${input.file}:${input.line}: ignored an independent checkpoint that does not verify`);
    return;
  }
  let byChain = witnesses.get(record.chain);
  if (byChain === undefined) witnesses.set(record.chain, (byChain = new Map()));
  byChain.set(record.seq, { hash: record.hash, at: { file: input.file, line: input.line, ordinal: 0 } });
}

// A witness line is a checkpoint record itself, or a JSON log line carrying one as a string.
function witnessRecord(text: string): ParsedRecord | undefined {
  const direct = parseAuditLine(text);
  if (direct.ok) return direct.value.type === "checkpoint" ? direct.value : undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // not JSON: an ordinary log line
  }
  const nested = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[WITNESS_FIELD] : undefined;
  if (typeof nested !== "string") return undefined;
  const parsed = parseAuditLine(nested);
  return parsed.ok && parsed.value.type === "checkpoint" ? parsed.value : undefined;
}

function finish(chains: ChainVerifier[], problems: Problem[], warnings: string[], options: VerifyOptions, skipped: number): VerifyReport {
  for (const chain of chains) {
    chain.finishConflict();
    chain.checkTruncation();
    checkTail(chain, options, warnings);
    if (chain.problem !== undefined) problems.push(chain.problem);
  }
  const summaries: ChainSummary[] = chains.map((c) => c.summary());
  const records = summaries.reduce((n, c) => n + c.records, 0);
  if (chains.length === 0) {
    problems.push({ kind: "empty", chain: null, seq: null, file: null, line: null, message: "no audit records found", ordinal: 0 });
  }
  if (options.keys.length === 0 && summaries.some((c) => c.checkpoints > 0)) {
    warnings.push("checkpoint signatures were not verified (no --public-key)");
  }
  problems.sort((a, b) => a.ordinal - b.ordinal);
  return {
    ok: problems.length === 0,
    records,
    skippedLines: skipped,
    chains: summaries,
    problems,
    firstBad: problems[0] ?? null,
    warnings,
  };
}

function checkTail(chain: ChainVerifier, options: VerifyOptions, warnings: string[]): void {
  const first = chain.firstUncovered;
  if (chain.problem !== undefined || first === undefined) return;
  const { uncoveredTail, lastCheckpointSeq } = chain.summary();
  const count = `${uncoveredTail} record${uncoveredTail === 1 ? "" : "s"}`;
  const message =
    lastCheckpointSeq === null
      ? `no checkpoint covers the chain (${count})`
      : `tail after seq ${lastCheckpointSeq} is not covered by a checkpoint (${count})`;
  if (options.requireCheckpointAtEnd) {
    const at: Located & { seq: number } = first;
    chain.fail("tail_uncovered", at, message);
  } else {
    warnings.push(`chain ${chain.chain}: ${message}`);
  }
}

// Convenience for callers holding every line in memory (tests, small files).
export function verifyAuditLines(lines: Iterable<AuditLine>, options: VerifyOptions, witnessLines: Iterable<AuditLine> = []): VerifyReport {
  const verifier = createAuditVerifier(options);
  for (const w of witnessLines) verifier.witness(w);
  for (const l of lines) verifier.line(l);
  return verifier.finish();
}
