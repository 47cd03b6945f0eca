import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyAuditLines } from "../../../src/core/audit/verify.ts";
import { asLines } from "./builders.ts";
import { recordBytesChain } from "./record-bytes-cases.ts";

// The fixture was written by the audit code before it was tuned for speed: the same input must
// give the same bytes, so a reader, a SIEM rule and `modelgate audit verify` see no change.
const FIXTURE = readFileSync(join(import.meta.dirname, "../../fixtures/audit/record-bytes/records.jsonl"), "utf8")
  .split("\n")
  .slice(0, -1);

describe("audit records stay byte-identical for the same input", () => {
  const lines = recordBytesChain();

  it("writes as many lines as the fixture", () => {
    expect(lines.length).toBe(FIXTURE.length);
  });

  it.each(FIXTURE.map((expected, i) => [i, expected] as const))("line %i is the fixture's, byte for byte", (i, expected) => {
    expect(lines[i]).toBe(expected);
  });

  it("the fixture verifies as one intact chain", () => {
    const report = verifyAuditLines(asLines(FIXTURE), { keys: [], requireCheckpointAtEnd: true, allowPartialStart: false, mixed: false });
    expect(report.firstBad).toBeNull();
    expect(report.ok).toBe(true);
  });
});
