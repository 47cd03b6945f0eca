import { err, ok } from "../result.ts";
import type { Result } from "../result.ts";
import { parseDateOnly, parseInstant } from "./instant.ts";

const DAY_MS = 86_400_000;
const UNIT_MS: Readonly<Record<string, number>> = Object.freeze({
  m: 60_000,
  h: 3_600_000,
  d: DAY_MS,
  w: 7 * DAY_MS,
});
const DURATION = /^([1-9]\d{0,5})([mhdw])$/;
// Beyond this a key is effectively permanent; omit --expires instead of writing year 9999.
const MAX_LIFETIME_MS = 100 * 365 * DAY_MS;

// `keys create --expires`: a lifetime ("90m", "12h", "30d", "8w") counted from `now`, an RFC 3339
// date-time with zone, or a bare date ("2027-01-31", meaning 00:00 UTC that day — the instant the
// key stops working). Returns epoch ms, always in the future.
export function parseExpiry(text: string, now: number): Result<number, string> {
  const at = expiryInstant(text.trim(), now);
  if (at === undefined || !Number.isFinite(at)) {
    return err(`--expires "${text}" is not a duration (30d, 12h, 90m, 8w), an RFC 3339 date-time with zone or a date (2027-01-31)`);
  }
  if (at <= now) return err(`--expires "${text}" is not in the future`);
  if (at - now > MAX_LIFETIME_MS) return err(`--expires "${text}" is more than 100 years away; omit --expires for a key without expiry`);
  return ok(at);
}

function expiryInstant(text: string, now: number): number | undefined {
  const duration = DURATION.exec(text);
  if (duration !== null) return now + Number(duration[1]) * (UNIT_MS[duration[2] ?? ""] ?? Number.NaN);
  return parseInstant(text) ?? parseDateOnly(text);
}
