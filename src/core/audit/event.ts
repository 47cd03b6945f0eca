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

// What Date#toISOString gives, worked out by arithmetic for the years 1970–9999: a Date and its
// formatting cost ≈ 0.6 µs and 150 B per call, this ≈ 0.15 µs and one 24-character string, and
// an audit record takes up to three. Anything else (before 1970, past 9999, NaN) goes to Date,
// which also throws the RangeError for NaN. Fractions of a millisecond are dropped, as Date does.
const YEAR_10000_MS = 253_402_300_800_000;
const DAY_MS = 86_400_000;

export function isoTime(epochMs: number): string {
  if (!(epochMs >= 0 && epochMs < YEAR_10000_MS)) return new Date(epochMs).toISOString();
  const ms = Math.floor(epochMs);
  const days = Math.floor(ms / DAY_MS);
  const inDay = ms - days * DAY_MS;
  // Days since 1970-01-01 to a civil date, by eras of 400 years (146 097 days) from 0000-03-01.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const leapDaysBefore = Math.floor(dayOfEra / 1460) - Math.floor(dayOfEra / 36_524) + Math.floor(dayOfEra / 146_096);
  const yearOfEra = Math.floor((dayOfEra - leapDaysBefore) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const fromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * fromMarch + 2) / 5) + 1;
  const month = fromMarch < 10 ? fromMarch + 3 : fromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(inDay / 3_600_000);
  const minute = Math.floor(inDay / 60_000) % 60;
  const second = Math.floor(inDay / 1000) % 60;
  const milli = inDay % 1000;
  // One flat string from its character codes: no intermediate strings to join.
  return String.fromCharCode(
    digit(year, 1000),
    digit(year, 100),
    digit(year, 10),
    digit(year, 1),
    DASH,
    digit(month, 10),
    digit(month, 1),
    DASH,
    digit(day, 10),
    digit(day, 1),
    LETTER_T,
    digit(hour, 10),
    digit(hour, 1),
    COLON,
    digit(minute, 10),
    digit(minute, 1),
    COLON,
    digit(second, 10),
    digit(second, 1),
    DOT,
    digit(milli, 100),
    digit(milli, 10),
    digit(milli, 1),
    LETTER_Z,
  );
}

const ZERO = 0x30;
const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const LETTER_T = 0x54;
const LETTER_Z = 0x5a;

// The decimal digit of `n` at `place` (1, 10, 100 or 1000), as a character code.
const digit = (n: number, place: number): number => ZERO + (Math.floor(n / place) % 10);

// Whole, non-negative, safe: the canonical form carries integers only.
export function wholeNumber(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return Math.min(Math.round(value), Number.MAX_SAFE_INTEGER);
}
