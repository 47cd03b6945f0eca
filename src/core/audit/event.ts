import type { JsonObject } from "./canonical-json.ts";

// An audit event is a flat-ish JSON object with a `type` and a `time`; the chain (chain.ts)
// wraps it in the envelope fields below. The record types are a closed set so a reader — the
// verifier, `modelgate audit analyze`, a SIEM rule — can switch on `type`.
export const AUDIT_EVENT_TYPES = ["decision", "outcome", "outcome_missing", "decision_missing", "checkpoint", "anomaly"] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface AuditEvent extends JsonObject {
  readonly type: AuditEventType;
  readonly time: string; // RFC 3339 UTC with milliseconds, from the injected clock
}

// Envelope keys the chain owns; an event never carries them itself.
export const ENVELOPE_KEYS = ["v", "chain", "seq", "prev", "hash"] as const;

// Version of the record format; bumped only with a migration note in the README.
export const AUDIT_FORMAT_VERSION = 1;

export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

// Whole, non-negative, safe: the canonical form carries integers only.
export function wholeNumber(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return Math.min(Math.round(value), Number.MAX_SAFE_INTEGER);
}
