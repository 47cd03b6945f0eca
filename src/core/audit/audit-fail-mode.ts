import type { Decision } from "../decision.ts";
import type { AuditFailMode } from "./audit-config.ts";

// Vault's rule (security.md anchor 7): an allowed decision is answered as allowed only once its
// audit record is accepted. What the fail mode makes of a decision whose record was not:
// a denial stays as it is; an allow stays allowed with failMode "open" (counted), and becomes a
// 503 `audit_unavailable` with failMode "closed" (itself recorded when there is room).

export const AUDIT_UNAVAILABLE_DETAIL = "the audit log cannot record decisions right now";

export interface UnrecordedAnswer {
  readonly answer: Decision;
  readonly failed: AuditFailMode | undefined; // which fail mode applied; undefined for a denial
}

export function answerUnrecorded(decision: Decision, failMode: AuditFailMode): UnrecordedAnswer {
  if (!decision.allowed) return { answer: decision, failed: undefined };
  if (failMode === "open") return { answer: decision, failed: "open" };
  return { answer: auditUnavailable(decision), failed: "closed" };
}

// The allow's facts (who, what, which policy) are kept: the record of the refusal says what was refused.
function auditUnavailable(decision: Decision & { readonly allowed: true }): Decision {
  const { credentialHeaders: _headers, allowed: _allowed, reason: _reason, ...facts } = decision;
  return { ...facts, allowed: false, reason: "audit_unavailable", detail: AUDIT_UNAVAILABLE_DETAIL, challenge: undefined };
}
