// What `modelgate audit verify` reports. The first problem names a record by file, line and seq.

export type ProblemKind =
  | "malformed" // a line that is not a canonical audit record
  | "edited" // a record's content does not match its own hash
  | "replaced" // a record's hash is not the one the next record attests (edited and re-hashed)
  | "forged" // two different records claim the same seq
  | "missing" // records are absent (deleted) before this one
  | "reordered" // this record is out of place; the expected one appears later
  | "start_missing" // the chain does not start at seq 0 (earlier records or files are absent)
  | "checkpoint_invalid" // a checkpoint whose head is not the record before it
  | "checkpoint_unsigned" // an unsigned checkpoint where signatures are required
  | "checkpoint_wrong_key" // signed by a key that is not among the given public keys
  | "checkpoint_forged" // a signature that does not verify
  | "truncated" // an independent checkpoint names records the chain no longer has
  | "diverged" // an independent checkpoint disagrees with the chain's record at its seq
  | "tail_uncovered" // records after the last checkpoint, with --require-checkpoint-at-end
  | "empty"; // no record at all

export interface Problem {
  readonly kind: ProblemKind;
  readonly chain: string | null;
  readonly seq: number | null;
  readonly file: string | null;
  readonly line: number | null;
  readonly message: string;
  readonly ordinal: number; // position in the input, to find the first bad record
}

export interface ChainSummary {
  readonly chain: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly records: number;
  readonly checkpoints: number;
  readonly lastCheckpointSeq: number | null;
  readonly signaturesVerified: number;
  readonly uncoveredTail: number; // records after the last checkpoint
  readonly duplicates: number; // identical re-deliveries skipped
  readonly ok: boolean;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly records: number;
  readonly skippedLines: number; // non-audit lines in --mixed mode
  readonly chains: readonly ChainSummary[];
  readonly problems: readonly Problem[];
  readonly firstBad: Problem | null;
  readonly warnings: readonly string[];
}

export function where(p: Pick<Problem, "file" | "line" | "seq" | "chain">): string {
  const parts: string[] = [];
  if (p.file !== null) parts.push(p.line === null ? p.file : `${p.file}:${p.line}`);
  if (p.seq !== null) parts.push(`seq ${p.seq}`);
  if (p.chain !== null) parts.push(`chain ${p.chain}`);
  return parts.join(" ");
}
