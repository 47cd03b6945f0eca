import type { ConfigReader } from "../core/parse/config-reader.ts";
import { parseDuration } from "../core/policy/duration.ts";
import { parseStatusPattern, type StatusPattern } from "../core/anomaly/status-pattern.ts";

// Value readers the anomaly section needs beyond ConfigReader's: durations written like policy
// limits (`1m`, `10m`), decimal ratios kept as whole per-mille (the Redis script and the audit
// record carry integers only), and lists of HTTP statuses.

type Raw = Record<string, unknown>;

function read(raw: Raw, field: string): unknown {
  return raw[field.slice(field.lastIndexOf(".") + 1)];
}

export function durationMs(r: ConfigReader, raw: Raw, field: string, fallbackMs: number, minMs: number, maxMs: number): number {
  const value = read(raw, field);
  if (value === undefined) return fallbackMs;
  const parsed = typeof value === "string" ? parseDuration(value) : undefined;
  if (parsed === undefined || !parsed.ok) {
    r.issue(field, parsed === undefined ? "must be a duration such as 30s, 1m or 1h" : `must be a duration: ${parsed.error}`);
    return fallbackMs;
  }
  if (parsed.value < minMs || parsed.value > maxMs) {
    r.issue(field, `must be from ${minMs / 1000}s to ${maxMs / 1000}s`);
    return fallbackMs;
  }
  return parsed.value;
}

// A decimal in (min, max] (or [min, max] with inclusiveMin) as whole thousandths.
export function permille(
  r: ConfigReader,
  raw: Raw,
  field: string,
  fallback: number,
  min: number,
  max: number,
  inclusiveMin = false,
): number {
  const value = read(raw, field);
  if (value === undefined) return fallback;
  const fits = typeof value === "number" && Number.isFinite(value) && (inclusiveMin ? value >= min : value > min) && value <= max;
  if (!fits) {
    r.issue(field, `must be a number ${inclusiveMin ? "from" : "greater than"} ${min} ${inclusiveMin ? "to" : "and at most"} ${max}`);
    return fallback;
  }
  return Math.round(value * 1000);
}

export function statusList(r: ConfigReader, raw: Raw, field: string, fallback: readonly StatusPattern[]): readonly StatusPattern[] {
  const value = read(raw, field);
  if (value === undefined) return fallback;
  if (!Array.isArray(value)) {
    r.issue(field, 'must be a list of HTTP statuses or classes such as "5xx"');
    return fallback;
  }
  const out: StatusPattern[] = [];
  value.forEach((item: unknown, i) => {
    const p = parseStatusPattern(item);
    if (p.ok) out.push(p.value);
    else r.issue(`${field}[${i}]`, p.error);
  });
  return out;
}
