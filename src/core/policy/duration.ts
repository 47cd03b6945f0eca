// Limit periods are written the way platform engineers write them in Kubernetes (`1s`, `500ms`,
// `1m`, `1h30m`, `1d`) and stored as whole milliseconds, which is what the limiter needs.
import type { Result } from "../result.ts";
import { err, ok } from "../result.ts";

const DAY_MS = 86_400_000;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: DAY_MS };

// Longer windows would keep limiter state in Redis for more than a month per identity.
export const MAX_PERIOD_MS = 30 * DAY_MS;

const WHOLE = /^(?:\d+(?:ms|s|m|h|d))+$/;

export function parseDuration(text: string): Result<number, string> {
  const hint = "expected a duration such as 500ms, 1s, 1m, 1h30m or 1d (whole numbers only)";
  if (text.startsWith("-")) return err("must be greater than zero");
  if (text.length > 32 || !WHOLE.test(text)) {
    return /\d\.\d/.test(text) ? err(`fractions are not supported; ${hint}`) : err(hint);
  }
  let total = 0;
  for (const match of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? Number.NaN);
  }
  if (!Number.isSafeInteger(total)) return err("is too long; the maximum is 30d");
  if (total <= 0) return err("must be greater than zero");
  if (total > MAX_PERIOD_MS) return err("is too long; the maximum is 30d");
  return ok(total);
}
