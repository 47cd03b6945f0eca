import { FieldBounds } from "./bounded-text.ts";
import type { JsonValue } from "./canonical-json.ts";
import { isoTime, wholeNumber, type AuditEvent } from "./event.ts";
import { FIELD_BYTES } from "./record.ts";

// What Envoy's access log says happened to a request after the decision: the audit trail then
// records what the model answered, not only what was allowed.

export interface AccessOutcome {
  readonly requestId: string;
  readonly responseCode: number | undefined; // undefined when no response was sent (reset)
  readonly responseCodeDetails: string; // Envoy's reason, e.g. via_upstream, ext_authz_denied
  readonly responseFlags: readonly string[]; // set ResponseFlags names, e.g. upstream_request_timeout
  readonly requestBodyBytes: number;
  readonly responseBodyBytes: number;
  readonly durationMs: number | undefined; // Envoy's request duration
  readonly startedAt: number | undefined; // epoch ms, Envoy's clock
}

// A decision still waiting for its outcome.
export interface PendingDecision {
  readonly decisionId: string;
  readonly requestId: string;
  readonly allowed: boolean;
  readonly decidedAt: number; // epoch ms
}

const MAX_FLAGS = 16;
const FLAG_BYTES = 64;
const DETAILS_BYTES = 256;

function outcomeFields(o: AccessOutcome, b: FieldBounds): Record<string, JsonValue> {
  if (o.responseFlags.length > MAX_FLAGS) b.mark("response_flags");
  return {
    request_id: b.text("request_id", o.requestId, FIELD_BYTES.requestId),
    response_code: o.responseCode === undefined ? null : wholeNumber(o.responseCode),
    response_code_details: b.text("response_code_details", o.responseCodeDetails, DETAILS_BYTES),
    response_flags: o.responseFlags.slice(0, MAX_FLAGS).map((f) => b.text("response_flags", f, FLAG_BYTES)),
    request_bytes: wholeNumber(o.requestBodyBytes),
    response_bytes: wholeNumber(o.responseBodyBytes),
    duration_us: o.durationMs === undefined ? null : wholeNumber(o.durationMs * 1000),
    started_at: o.startedAt === undefined ? null : isoTime(o.startedAt),
  };
}

export function outcomeEvent(o: AccessOutcome, decision: PendingDecision, now: number): AuditEvent {
  const b = new FieldBounds();
  const fields = outcomeFields(o, b);
  return {
    type: "outcome",
    time: isoTime(now),
    decision_id: b.text("decision_id", decision.decisionId, FIELD_BYTES.decisionId),
    decision: decision.allowed ? "allow" : "deny",
    ...fields,
    truncated: b.truncated,
  };
}

export function decisionMissingEvent(o: AccessOutcome, now: number): AuditEvent {
  const b = new FieldBounds();
  const fields = outcomeFields(o, b);
  return { type: "decision_missing", time: isoTime(now), ...fields, truncated: b.truncated };
}

export type MissingCause = "timeout" | "capacity" | "shutdown";

export function outcomeMissingEvent(p: PendingDecision, cause: MissingCause, now: number): AuditEvent {
  const b = new FieldBounds();
  return {
    type: "outcome_missing",
    time: isoTime(now),
    decision_id: b.text("decision_id", p.decisionId, FIELD_BYTES.decisionId),
    request_id: b.text("request_id", p.requestId, FIELD_BYTES.requestId),
    decision: p.allowed ? "allow" : "deny",
    decided_at: isoTime(p.decidedAt),
    waited_ms: wholeNumber(now - p.decidedAt),
    cause,
    truncated: b.truncated,
  };
}
