import type { LimitSpec } from "../policy/types.ts";

// GCRA (generic cell rate algorithm) over one "theoretical arrival time" per key.
// It is exact, needs one number of state per key, and has no window edges to game.
// All times are epoch milliseconds as floats so sub-millisecond emission intervals stay exact.

export interface GcraOutcome {
  readonly allowed: boolean;
  readonly tat: number; // the key's TAT if this request is committed (unchanged when denied)
  readonly remaining: number; // whole requests still admissible right now after this one
  readonly resetMs: number; // until the quota is fully restored
  readonly retryAfterMs: number; // until this request would be admitted; 0 when allowed
}

export function emissionIntervalMs(limit: LimitSpec): number {
  return limit.periodMs / limit.requests;
}

// `tat` is the stored TAT or undefined for a fresh key. A denied request changes nothing.
export function gcra(limit: LimitSpec, tat: number | undefined, now: number, cost: number): GcraOutcome {
  const interval = emissionIntervalMs(limit);
  const tolerance = interval * limit.burst;
  const base = tat === undefined || tat < now ? now : tat;
  const candidate = base + interval * cost;
  const excess = candidate - now - tolerance;
  if (excess > 0) {
    const current = base - now;
    return {
      allowed: false,
      tat: base,
      remaining: Math.max(0, Math.floor((tolerance - current) / interval)),
      resetMs: current,
      retryAfterMs: excess,
    };
  }
  return {
    allowed: true,
    tat: candidate,
    remaining: Math.floor((tolerance - (candidate - now)) / interval),
    resetMs: candidate - now,
    retryAfterMs: 0,
  };
}
