import { describe, expect, it } from "vitest";
import { genesisHead, sealEvent, type SealedRecord } from "../../../src/core/audit/chain.ts";
import { buildAuditRecord } from "../../../src/core/audit/record.ts";
import { batchBytes } from "../../../src/adapters/audit/batch-bytes.ts";
import { allowed, buildChain, facts, HMAC_KEY, T0 } from "../../core/audit/builders.ts";

describe("batchBytes", () => {
  it("writes each record's line and a newline, in order", () => {
    const records = buildChain(3);
    expect(batchBytes(records).toString("utf8")).toBe(records.map((r) => `${r.line}\n`).join(""));
  });

  it("encodes multi-byte characters to exactly the bytes the records count", () => {
    const decision = allowed({ identity: { method: "jwt", subject: "Zoë 日本 😀", issuer: "", keyId: "", groups: [], attributes: {} } });
    const record = sealEvent(genesisHead("pod-a"), buildAuditRecord({ decision, request: facts(), durationMs: 0 }, HMAC_KEY, T0)).record;
    const bytes = batchBytes([record, record]);
    expect(bytes.length).toBe(2 * record.bytes);
    expect(bytes.toString("utf8").split("\n")).toEqual([record.line, record.line, ""]);
  });

  it.each([
    ["too small", -1],
    ["too large (it would leave unwritten memory in the file)", 1],
  ])("refuses a record whose byte count is %s (a bug)", (_name, delta) => {
    const [record] = buildChain(1) as [SealedRecord];
    expect(() => batchBytes([{ ...record, bytes: record.bytes + delta }])).toThrow(/bytes expected/);
  });
});
