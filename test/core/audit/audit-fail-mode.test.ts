import { describe, expect, it } from "vitest";
import { answerUnrecorded, AUDIT_UNAVAILABLE_DETAIL } from "../../../src/core/audit/audit-fail-mode.ts";
import type { AuditFailMode } from "../../../src/core/audit/audit-config.ts";
import { allowed, denied } from "./builders.ts";

// What the audit fail mode makes of a decision whose record the audit log did not accept.

describe("answerUnrecorded", () => {
  const allow = allowed();
  const deny = denied();

  it.each<[string, ReturnType<typeof allowed>, AuditFailMode, string, AuditFailMode | undefined]>([
    ["an allow, failMode closed", allow, "closed", "audit_unavailable", "closed"],
    ["an allow, failMode open", allow, "open", "allowed", "open"],
    ["a denial, failMode closed", deny, "closed", deny.reason, undefined],
    ["a denial, failMode open", deny, "open", deny.reason, undefined],
  ])("%s → %s", (_case, decision, failMode, reason, failed) => {
    const result = answerUnrecorded(decision, failMode);
    expect(result.answer.reason).toBe(reason);
    expect(result.failed).toBe(failed);
  });

  it("keeps the allow's facts in its audit_unavailable replacement and drops the credential headers", () => {
    const { answer } = answerUnrecorded(allow, "closed");
    expect(answer).toMatchObject({ allowed: false, detail: AUDIT_UNAVAILABLE_DETAIL, challenge: undefined });
    expect(answer).not.toHaveProperty("credentialHeaders");
    const { credentialHeaders: _h, allowed: _a, reason: _r, ...facts } = allow as typeof allow & { credentialHeaders: unknown };
    expect(answer).toMatchObject(facts);
  });

  it("returns the decision itself when nothing changes", () => {
    expect(answerUnrecorded(allow, "open").answer).toBe(allow);
    expect(answerUnrecorded(deny, "closed").answer).toBe(deny);
  });
});
