import type { Result } from "../core/result.ts";
import { err, ok } from "../core/result.ts";

// proto3 JSON forms of google.protobuf.Duration ("1.5s") and Timestamp (RFC 3339), shared by
// the schema walker, the validate-rule checks and the sidecar lint.

const DURATION = /^(-)?(\d{1,12})(?:\.(\d{1,9}))?s$/;
const MAX_DURATION_SECONDS = 315_576_000_000n;
const DURATION_HINT = 'a Duration is a string of decimal seconds with an "s" suffix, such as "0.25s", "1s" or "300s"';

export function parseDurationNanos(value: unknown): Result<bigint, string> {
  if (typeof value !== "string") return err(DURATION_HINT);
  const match = DURATION.exec(value);
  if (match === null) return err(`${JSON.stringify(value)} is not valid: ${DURATION_HINT}`);
  const seconds = BigInt(match[2] ?? "0");
  if (seconds > MAX_DURATION_SECONDS) return err(`${JSON.stringify(value)} is out of range (at most ±${MAX_DURATION_SECONDS}s)`);
  const nanos = BigInt((match[3] ?? "").padEnd(9, "0"));
  const total = seconds * 1_000_000_000n + nanos;
  return ok(match[1] === "-" ? -total : total);
}

// The validate rules write duration bounds as {seconds, nanos} objects; {} means zero.
export function nanosOfDurationObject(value: unknown): bigint {
  const record = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  return BigInt(Number(record["seconds"] ?? 0)) * 1_000_000_000n + BigInt(Number(record["nanos"] ?? 0));
}

export function formatNanos(nanos: bigint): string {
  const sign = nanos < 0n ? "-" : "";
  const abs = nanos < 0n ? -nanos : nanos;
  const fraction = (abs % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return `${sign}${abs / 1_000_000_000n}${fraction === "" ? "" : `.${fraction}`}s`;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export function checkTimestamp(value: unknown): string | undefined {
  const hint = 'a Timestamp is an RFC 3339 string such as "2026-01-31T12:00:00Z"';
  if (typeof value !== "string" || !TIMESTAMP.test(value)) return hint;
  const year = Number(value.slice(0, 4));
  if (year < 1 || Number.isNaN(Date.parse(value.replace(/\.\d+/, "")))) return `${JSON.stringify(value)} is not a valid date: ${hint}`;
  return undefined;
}
