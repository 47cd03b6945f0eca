import type { LimitSpec } from "../policy/types.ts";

// GCRA (generic cell rate algorithm) over one "theoretical arrival time" per key.
// It is exact, needs one number of state per key, and has no window edges to game.
// All times are epoch milliseconds. They are kept on a grid of 1/1024 ms (≈ 1 µs): every sum of
// grid values below 2^43 ms (the year 2248) is exact in a double, so a burst of N at one instant
// admits exactly N however the period divides (with plain floats, 49 per day admitted only 48).
// The emission interval is rounded up to the grid and `now` down, so rounding never admits more
// than the exact limit; it caps one key at about a million requests per second.

export const GRID = 1024; // grid steps per millisecond

function gridUp(ms: number): number {
  return Math.ceil(ms * GRID) / GRID;
}

function gridDown(ms: number): number {
  return Math.floor(ms * GRID) / GRID;
}

// How many whole `interval`s fit in `span` (both on the grid), without float-division rounding.
function wholeIntervals(span: number, interval: number): number {
  if (span <= 0) return 0;
  let n = Math.floor(span / interval);
  if (n * interval > span) n -= 1;
  else if ((n + 1) * interval <= span) n += 1;
  return n;
}

export interface GcraOutcome {
  readonly allowed: boolean;
  readonly tat: number; // the key's TAT if this request is committed (unchanged when denied)
  readonly remaining: number; // whole requests still admissible right now after this one
  readonly resetMs: number; // until the quota is fully restored
  readonly retryAfterMs: number; // until this request would be admitted; 0 when allowed
}

// `periodMs / requests`, rounded up to the grid.
export function emissionIntervalMs(limit: LimitSpec): number {
  return gridUp(limit.periodMs / limit.requests);
}

// The same interval as a whole number of grid steps: what the Redis script computes with, so
// both limiters add and compare the very same integers.
export function emissionIntervalSteps(limit: LimitSpec): number {
  return emissionIntervalMs(limit) * GRID;
}

// An instant in whole grid steps, rounded down like `now` is below.
export function toGridSteps(ms: number): number {
  return Math.floor(ms * GRID);
}

// The interval one unit of cost takes under limits lowered to `factorPermille` / 1000: the
// tolerance stays as written (but never below one lowered unit, so a burst of 1 still admits),
// so both the rate and the burst shrink by the factor. Rounded up to the grid, so a lowered
// limit never admits more than the exact fraction.
export function loweredIntervalMs(interval: number, factorPermille: number): number {
  if (factorPermille >= 1000) return interval;
  return Math.ceil((interval * GRID * 1000) / factorPermille) / GRID;
}

// `tat` is the stored TAT or undefined for a fresh key. A denied request changes nothing.
// `factorPermille` < 1000 applies limits lowered by an anomaly response (sanction.ts).
export function gcra(limit: LimitSpec, tat: number | undefined, now: number, cost: number, factorPermille = 1000): GcraOutcome {
  const written = emissionIntervalMs(limit);
  const interval = loweredIntervalMs(written, factorPermille);
  const tolerance = Math.max(written * limit.burst, interval);
  const at = gridDown(now);
  const stored = tat === undefined ? undefined : gridUp(tat);
  const base = stored === undefined || stored < at ? at : stored;
  const candidate = base + interval * cost;
  const excess = candidate - at - tolerance;
  if (excess > 0) {
    const current = base - at;
    return {
      allowed: false,
      tat: tat ?? base,
      remaining: wholeIntervals(tolerance - current, interval),
      resetMs: current,
      retryAfterMs: excess,
    };
  }
  return {
    allowed: true,
    tat: candidate,
    remaining: wholeIntervals(tolerance - (candidate - at), interval),
    resetMs: candidate - at,
    retryAfterMs: 0,
  };
}
