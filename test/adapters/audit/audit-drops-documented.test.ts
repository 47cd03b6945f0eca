import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Decision } from "../../../src/core/decision.ts";
import { denied } from "../../core/audit/builders.ts";
import { ControlledSink, decisionIds, harness, type Harness } from "./helpers.ts";

// Issue 11 item 15: the README said a decision's audit record "never is" dropped. A denial's
// record is dropped (and counted) while the buffer is full; the README must say what happens.

const README = readFileSync(join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8").replace(/\s+/g, " ");
const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.writer.close(200);
});

const deny = (i: number): Decision => denied({ id: `deny-${i}`, requestId: `r-${i}`, reason: "policy_no_match" });

describe("audit records while the buffer is full", () => {
  it("a denial is answered unchanged, its record dropped and counted", async () => {
    const sink = new ControlledSink();
    sink.mode = "hang";
    const h = await harness(sink, { writeTimeoutMs: 60_000, buffer: { maxRecords: 5, maxBytes: 1024 * 1024 } });
    open.push(h);
    const recorder = h.recorder("closed");
    const answered = Array.from({ length: 12 }, (_, i) => recorder.record(deny(i), undefined, 0));
    expect(answered.every((d) => !d.allowed && d.reason === "policy_no_match")).toBe(true);
    expect(await h.metric("modelgate_audit_rejected_total", { cause: "buffer_full" })).toBe(7);
    sink.release();
    expect(await h.writer.flush(3000)).toBe(true);
    expect(decisionIds(sink.lines, "deny")).toHaveLength(5);
  });

  it("the README says so, and no longer claims a decision's record is never dropped", () => {
    expect(README).not.toMatch(/audit record (it comes from )?(never is|is never) dropped|own audit record never is/);
    expect(README).toContain("a denial's record is dropped");
    expect(README).toContain('`modelgate_audit_rejected_total{cause="buffer_full"}`');
  });
});
