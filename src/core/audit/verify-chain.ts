import { GENESIS_HASH, recordHash } from "./chain.ts";
import { checkCheckpointSignature, type CheckpointPublicKey } from "./checkpoint.ts";
import { checkpointFields, type ParsedRecord } from "./parse-record.ts";
import { where, type ChainSummary, type Problem, type ProblemKind } from "./verify-report.ts";

// Verifies one chain record by record, in input order, with O(1) memory per chain (plus the
// hashes of its checkpoints). Stops judging at the first problem, but keeps watching the input
// to tell a deletion from a reordering.

export interface Located {
  readonly file: string;
  readonly line: number;
  readonly ordinal: number;
}

interface Seen extends Located {
  readonly seq: number;
  readonly hash: string;
  readonly prev: string;
}

interface Conflict {
  readonly earlier: Seen;
  readonly later: Seen;
}

export interface ChainOptions {
  readonly keys: readonly CheckpointPublicKey[];
  readonly allowPartialStart: boolean;
}

// A checkpoint seen in an independent copy (a log shipper, another sink): seq → hash.
export interface Witness {
  readonly hash: string;
  readonly at: Located;
}

export class ChainVerifier {
  readonly chain: string;
  readonly options: ChainOptions;
  readonly witnesses: ReadonlyMap<number, Witness>;
  problem: Problem | undefined;
  first: Seen | undefined;
  last: Seen | undefined;
  records = 0;
  checkpoints = 0;
  signaturesVerified = 0;
  duplicates = 0;
  lastCheckpoint: Seen | undefined;
  firstUncovered: Seen | undefined;
  readonly checkpointHashes = new Map<number, string>();
  private conflict: Conflict | undefined;
  private watchSeq: number | undefined;

  constructor(chain: string, options: ChainOptions, witnesses: ReadonlyMap<number, Witness>) {
    this.chain = chain;
    this.options = options;
    this.witnesses = witnesses;
  }

  add(record: ParsedRecord, at: Located): void {
    const seen: Seen = { ...at, seq: record.seq, hash: record.hash, prev: record.prev };
    if (this.problem !== undefined) return this.watch(seen);
    if (this.conflict !== undefined) return this.resolveConflict(this.conflict, seen);
    const { hash: _stored, ...rest } = record.object;
    if (recordHash(rest) !== record.hash) return this.fail("edited", seen, "the record's content does not match its hash: it was edited");
    const last = this.last;
    if (last === undefined) return this.start(record, seen);
    if (seen.seq === last.seq && seen.hash === last.hash) {
      this.duplicates += 1; // the same record delivered twice (a retried batch): harmless
      return;
    }
    if (seen.seq === last.seq && seen.prev === last.prev) {
      this.conflict = { earlier: last, later: seen };
      return;
    }
    if (seen.seq !== last.seq + 1) return this.outOfSequence(seen, last.seq + 1);
    if (seen.prev !== last.hash) {
      return this.fail(
        "replaced",
        last,
        `the next record (${where({ ...seen, chain: null })}) attests a different hash for this one: it was edited and re-hashed, or replaced`,
      );
    }
    this.accept(record, seen);
  }

  private start(record: ParsedRecord, seen: Seen): void {
    if (seen.seq === 0 && seen.prev !== GENESIS_HASH) return this.fail("forged", seen, "seq 0 does not start from the genesis hash");
    if (seen.seq > 0 && !this.options.allowPartialStart) {
      return this.fail(
        "start_missing",
        seen,
        `the chain starts at seq ${seen.seq}, not 0: earlier records or files are missing (give every file in order, or --allow-partial-start)`,
      );
    }
    this.first = seen;
    this.accept(record, seen);
  }

  private accept(record: ParsedRecord, seen: Seen): void {
    if (record.type === "checkpoint" && !this.checkpointOk(record, seen)) return;
    const witness = this.witnesses.get(seen.seq);
    if (witness !== undefined && witness.hash !== seen.hash) {
      return this.fail(
        "diverged",
        seen,
        `an independent checkpoint (${where({ ...witness.at, seq: null, chain: null })}) records a different hash at this seq`,
      );
    }
    this.first ??= seen;
    this.last = seen;
    this.records += 1;
    if (record.type === "checkpoint") {
      this.checkpoints += 1;
      this.lastCheckpoint = seen;
      this.firstUncovered = undefined;
      this.checkpointHashes.set(seen.seq, seen.hash);
    } else {
      this.firstUncovered ??= seen;
    }
  }

  private checkpointOk(record: ParsedRecord, seen: Seen): boolean {
    const cp = checkpointFields(record);
    if (!cp.ok) return this.failed("checkpoint_invalid", seen, cp.error);
    if (cp.value.headSeq !== seen.seq - 1 || cp.value.headHash !== seen.prev) {
      return this.failed("checkpoint_invalid", seen, "the checkpoint's head is not the record before it");
    }
    if (this.options.keys.length === 0) return true;
    const since = this.lastCheckpoint === undefined ? "the start" : `the checkpoint at seq ${this.lastCheckpoint.seq}`;
    switch (checkCheckpointSignature(record.object, this.options.keys)) {
      case "valid":
        this.signaturesVerified += 1;
        return true;
      case "unsigned":
        return this.failed("checkpoint_unsigned", seen, "the checkpoint is not signed, but a public key was given");
      case "unknown_key":
        return this.failed(
          "checkpoint_wrong_key",
          seen,
          `the checkpoint is signed with key ${String(record.object["key_id"])}, not with a given public key`,
        );
      case "invalid":
        return this.failed(
          "checkpoint_forged",
          seen,
          `the checkpoint's signature does not verify: it was forged, or the records since ${since} were rewritten`,
        );
    }
  }

  private outOfSequence(seen: Seen, expected: number): void {
    if (seen.seq > expected) {
      this.watchSeq = expected;
      const range = seen.seq - 1 === expected ? `seq ${expected} is` : `seq ${expected}–${seen.seq - 1} are`;
      return this.fail("missing", seen, `${range} missing before this record (deleted)`);
    }
    this.fail("reordered", seen, `seq ${seen.seq} comes after seq ${expected - 1}: the record is out of place`);
  }

  // Two records claim one seq: the one the following record attests is genuine.
  private resolveConflict(conflict: Conflict, next: Seen): void {
    this.conflict = undefined;
    // When the next record attests neither, the later one is named: the earlier came first.
    const forged = next.prev === conflict.later.hash ? conflict.earlier : conflict.later;
    const other = forged === conflict.later ? conflict.earlier : conflict.later;
    this.fail(
      "forged",
      forged,
      `another record (${where({ ...other, chain: null })}) claims the same seq and is the one the chain continues from: this one was inserted`,
    );
  }

  // After a gap, seeing the missing seq later means the records were reordered, not deleted.
  private watch(seen: Seen): void {
    if (this.watchSeq === undefined || seen.seq !== this.watchSeq || this.problem === undefined) return;
    this.watchSeq = undefined;
    const p = this.problem;
    this.problem = {
      ...p,
      kind: "reordered",
      message: `the record is out of place: seq ${seen.seq}, expected here, appears later (${where({ ...seen, chain: null })})`,
    };
  }

  finishConflict(): void {
    if (this.conflict === undefined) return;
    const { earlier, later } = this.conflict;
    this.conflict = undefined;
    this.fail("forged", later, `another record (${where({ ...earlier, chain: null })}) claims the same seq: one of them was inserted`);
  }

  // An independent checkpoint beyond the last record means the chain lost its tail.
  checkTruncation(): void {
    if (this.problem !== undefined || this.last === undefined) return;
    const beyond = [...this.witnesses.entries()].filter(([seq]) => seq > (this.last?.seq ?? -1));
    if (beyond.length === 0) return;
    const [seq, witness] = beyond.reduce((a, b) => (b[0] > a[0] ? b : a));
    const at = where({ ...witness.at, seq: null, chain: null });
    this.fail(
      "truncated",
      this.last,
      `the chain ends here, but an independent checkpoint (${at}) covers up to seq ${seq}: the records after this one were removed`,
    );
  }

  fail(kind: ProblemKind, at: Located & { seq: number | null }, message: string): void {
    this.problem ??= { kind, chain: this.chain, seq: at.seq, file: at.file, line: at.line, message, ordinal: at.ordinal };
  }

  private failed(kind: ProblemKind, at: Seen, message: string): false {
    this.fail(kind, at, message);
    return false;
  }

  summary(): ChainSummary {
    const lastSeq = this.last?.seq ?? -1;
    const coveredTo = this.lastCheckpoint?.seq ?? (this.first === undefined ? -1 : this.first.seq - 1);
    return {
      chain: this.chain,
      firstSeq: this.first?.seq ?? -1,
      lastSeq,
      records: this.records,
      checkpoints: this.checkpoints,
      lastCheckpointSeq: this.lastCheckpoint?.seq ?? null,
      signaturesVerified: this.signaturesVerified,
      uncoveredTail: Math.max(0, lastSeq - coveredTo),
      duplicates: this.duplicates,
      ok: this.problem === undefined,
    };
  }
}
