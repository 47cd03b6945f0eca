import { describe, expect, it } from "vitest";
import { sealCheckpoint } from "../../../src/core/audit/checkpoint.ts";
import { verifyAuditLines, type AuditLine, type VerifyOptions } from "../../../src/core/audit/verify.ts";
import type { ProblemKind } from "../../../src/core/audit/verify-report.ts";
import { T0, asLines, buildChain, testKeys } from "./builders.ts";
import { edit, flipToDeny, headBefore, parse, rehash, rewriteFrom, swap, without } from "./tamper.ts";

// The chain under test (line = seq + 1):
//   seq 0–3 decisions, 4 checkpoint, 5–8 decisions, 9 checkpoint, 10–11 decisions, 12 checkpoint
const keys = testKeys();
const other = testKeys();
const CHAIN = buildChain(10, { signer: keys.signer, every: 4, endWithCheckpoint: true }).map((r) => r.line);

const STRICT: VerifyOptions = { keys: [keys.publicKey], requireCheckpointAtEnd: false, allowPartialStart: false, mixed: false };

interface Case {
  readonly lines: string[];
  readonly options?: Partial<VerifyOptions>;
  readonly witnesses?: string[];
  readonly expected: { kind: ProblemKind; line: number | null; seq: number | null } | "ok";
}

const cases: Record<string, Case> = {
  "the intact chain": { lines: CHAIN, expected: "ok" },
  "an edited record (hash left alone)": { lines: edit(CHAIN, 2, flipToDeny, false), expected: { kind: "edited", line: 3, seq: 2 } },
  "an edited and re-hashed record": { lines: edit(CHAIN, 2, flipToDeny, true), expected: { kind: "replaced", line: 3, seq: 2 } },
  "a deleted record": { lines: without(CHAIN, 2), expected: { kind: "missing", line: 3, seq: 3 } },
  "three deleted records": { lines: without(CHAIN, 5, 6, 7), expected: { kind: "missing", line: 6, seq: 8 } },
  "two swapped records": { lines: swap(CHAIN, 5, 6), expected: { kind: "reordered", line: 6, seq: 6 } },
  "a record moved to the end": { lines: [...without(CHAIN, 1), CHAIN[1] ?? ""], expected: { kind: "reordered", line: 2, seq: 2 } },
  "a forged record inserted with a valid link": {
    lines: [...CHAIN.slice(0, 6), rehash({ ...parse(CHAIN[6] ?? ""), decision_id: "forged" }), ...CHAIN.slice(6)],
    expected: { kind: "forged", line: 7, seq: 6 },
  },
  "a rewritten tail (every later record re-linked)": {
    lines: rewriteFrom(CHAIN, 2, flipToDeny),
    expected: { kind: "checkpoint_forged", line: 5, seq: 4 },
  },
  "a truncated tail after the last checkpoint": { lines: CHAIN.slice(0, 11), expected: "ok" },
  "a truncated tail, checkpoint required at the end": {
    lines: CHAIN.slice(0, 11),
    options: { requireCheckpointAtEnd: true },
    expected: { kind: "tail_uncovered", line: 11, seq: 10 },
  },
  "a truncated tail, caught by an independent checkpoint": {
    lines: CHAIN.slice(0, 11),
    witnesses: [JSON.stringify({ level: "info", msg: "audit checkpoint", audit_checkpoint: CHAIN[12] })],
    expected: { kind: "truncated", line: 11, seq: 10 },
  },
  "a checkpoint forged with another key": {
    lines: [...CHAIN.slice(0, 9), sealCheckpoint(headBefore(CHAIN, 9), T0, other.signer).record.line, ...CHAIN.slice(10)],
    expected: { kind: "checkpoint_wrong_key", line: 10, seq: 9 },
  },
  "a checkpoint with a forged signature": {
    lines: edit(CHAIN, 9, (r) => ({ ...r, sig: Buffer.alloc(64, 7).toString("base64") }), true),
    expected: { kind: "checkpoint_forged", line: 10, seq: 9 },
  },
  "a checkpoint made unsigned": {
    lines: edit(CHAIN, 4, (r) => ({ ...r, alg: "none", sig: "", key_id: "" }), true),
    expected: { kind: "checkpoint_unsigned", line: 5, seq: 4 },
  },
  "the wrong public key": {
    lines: CHAIN,
    options: { keys: [other.publicKey] },
    expected: { kind: "checkpoint_wrong_key", line: 5, seq: 4 },
  },
  "a checkpoint whose head is not the record before it": {
    lines: edit(CHAIN, 4, (r) => ({ ...r, head: { seq: 2, hash: "a".repeat(64) } }), true),
    expected: { kind: "checkpoint_invalid", line: 5, seq: 4 },
  },
  "a missing beginning": { lines: CHAIN.slice(5), expected: { kind: "start_missing", line: 1, seq: 5 } },
  "a missing beginning, partial start allowed": { lines: CHAIN.slice(5), options: { allowPartialStart: true }, expected: "ok" },
  "a line that is not canonical": {
    lines: [...CHAIN.slice(0, 3), (CHAIN[3] ?? "").replace(":", ": "), ...CHAIN.slice(4)],
    expected: { kind: "malformed", line: 4, seq: null },
  },
  "a line that is not JSON": {
    lines: [...CHAIN.slice(0, 3), "garbage", ...CHAIN.slice(3)],
    expected: { kind: "malformed", line: 4, seq: null },
  },
  "a record delivered twice": { lines: [...CHAIN.slice(0, 4), CHAIN[3] ?? "", ...CHAIN.slice(4)], expected: "ok" },
  "no records at all": { lines: [], expected: { kind: "empty", line: null, seq: null } },
};

describe("audit verify: tamper matrix (security.md A1, T19)", () => {
  it.each(Object.entries(cases))("%s", (_name, c) => {
    const witnesses = (c.witnesses ?? []).map((text, i) => ({ file: "server.log", line: i + 1, text }));
    const report = verifyAuditLines(asLines(c.lines), { ...STRICT, ...c.options }, witnesses);
    if (c.expected === "ok") {
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      return;
    }
    expect(report.ok).toBe(false);
    expect(report.firstBad).toMatchObject({ kind: c.expected.kind, line: c.expected.line, seq: c.expected.seq });
    if (c.expected.line !== null) expect(report.firstBad?.file).toBe("audit.000001.jsonl");
  });

  it("counts verified signatures and the uncovered tail", () => {
    const report = verifyAuditLines(asLines(CHAIN.slice(0, 11)), STRICT);
    expect(report.chains).toEqual([
      expect.objectContaining({ firstSeq: 0, lastSeq: 10, records: 11, checkpoints: 2, signaturesVerified: 2, uncoveredTail: 1, ok: true }),
    ]);
    expect(report.warnings).toContain(
      `chain ${parse(CHAIN[0] ?? "")["chain"] as string}: tail after seq 9 is not covered by a checkpoint (1 record)`,
    );
  });

  it("verifies without a key but says the signatures were not checked", () => {
    const report = verifyAuditLines(asLines(CHAIN), { ...STRICT, keys: [] });
    expect(report.ok).toBe(true);
    expect(report.warnings).toContain("checkpoint signatures were not verified (no --public-key)");
  });

  it("reports a duplicate delivery without failing", () => {
    const report = verifyAuditLines(asLines([...CHAIN.slice(0, 4), CHAIN[3] ?? "", ...CHAIN.slice(4)]), STRICT);
    expect(report.chains[0]?.duplicates).toBe(1);
  });

  it("follows a chain across files", () => {
    const lines: AuditLine[] = [...asLines(CHAIN.slice(0, 6), "a.000001.jsonl"), ...asLines(CHAIN.slice(6), "a.000002.jsonl")];
    expect(verifyAuditLines(lines, STRICT).ok).toBe(true);
    const cut: AuditLine[] = [...asLines(CHAIN.slice(0, 6), "a.000001.jsonl"), ...asLines(CHAIN.slice(7), "a.000002.jsonl")];
    expect(verifyAuditLines(cut, STRICT).firstBad).toMatchObject({ kind: "missing", file: "a.000002.jsonl", line: 1, seq: 7 });
  });

  it("verifies interleaved chains of several replicas independently", () => {
    const b = buildChain(5, { signer: keys.signer, endWithCheckpoint: true, chain: "pod-b@2026-11-01T00:00:00.000Z" }).map((r) => r.line);
    const mixed = CHAIN.flatMap((line, i) => (b[i] === undefined ? [line] : [line, b[i] ?? ""]));
    const report = verifyAuditLines(asLines(mixed), STRICT);
    expect(report.ok).toBe(true);
    expect(report.chains.map((c) => c.records)).toEqual([13, 6]);
  });

  it("skips application log lines in --mixed mode, and only there", () => {
    const log = JSON.stringify({ time: "2026-11-01T00:00:00Z", level: "info", msg: "serving" });
    const lines = asLines([log, ...CHAIN.slice(0, 5), "plain text", ...CHAIN.slice(5)]);
    const mixed = verifyAuditLines(lines, { ...STRICT, mixed: true });
    expect(mixed).toMatchObject({ ok: true, skippedLines: 2 });
    expect(verifyAuditLines(lines, STRICT).firstBad).toMatchObject({ kind: "malformed", line: 1 });
  });

  it("catches a deletion hidden as a non-record line in --mixed mode", () => {
    const lines = asLines([...CHAIN.slice(0, 3), "deleted", ...CHAIN.slice(4)]);
    expect(verifyAuditLines(lines, { ...STRICT, mixed: true }).firstBad).toMatchObject({ kind: "missing", line: 5, seq: 4 });
  });

  it("flags an independent checkpoint that disagrees with the chain", () => {
    // A checkpoint the server signed over another history (e.g. before a restore from backup).
    const fork = rewriteFrom(CHAIN, 2, flipToDeny);
    const witness = sealCheckpoint(headBefore(fork, 4), T0, keys.signer).record.line;
    const report = verifyAuditLines(asLines(CHAIN), STRICT, [{ file: "w", line: 1, text: witness }]);
    expect(report.firstBad).toMatchObject({ kind: "diverged", line: 5, seq: 4 });
  });

  it("ignores an independent checkpoint that does not verify", () => {
    const forged = sealCheckpoint({ chain: parse(CHAIN[0] ?? "")["chain"] as string, seq: 40, hash: "b".repeat(64) }, T0, other.signer)
      .record.line;
    const report = verifyAuditLines(asLines(CHAIN), STRICT, [{ file: "w", line: 3, text: forged }]);
    expect(report.ok).toBe(true);
    expect(report.warnings).toContain("w:3: ignored an independent checkpoint that does not verify");
  });
});
