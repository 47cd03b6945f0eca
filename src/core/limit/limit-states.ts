import type { BlockCause, LimitCharge, LimiterMode, LimitState, LimitVerdict } from "./limiter-port.ts";
import type { LimitSpec } from "../policy/types.ts";

// The LimitState both limiters report for one limit, from GCRA figures in milliseconds.
// `resetMs` is the time until the quota is full again when the request was admitted (or when
// this limit passed and nothing was charged), and the time until this request would fit when
// the limit denied it, so a 429's `t` never points earlier than its Retry-After.

export interface LimitFigures {
  readonly allowed: boolean;
  readonly remaining: number;
  readonly resetMs: number;
  readonly retryAfterMs: number;
}

export function limitState(limit: LimitSpec, figures: LimitFigures, factorPermille = 1000): LimitState {
  const state = {
    name: limit.name,
    quota: factorPermille >= 1000 ? limit.requests : Math.max(1, Math.floor((limit.requests * factorPermille) / 1000)),
    windowSeconds: limit.periodMs / 1000,
    remaining: figures.remaining,
    resetSeconds: (figures.allowed ? figures.resetMs : figures.retryAfterMs) / 1000,
  };
  return limit.shadow === true ? { ...state, shadow: true } : state;
}

// The factor (per mille) that applies to one charge when the caller's limits are lowered.
export function chargeFactor(charge: LimitCharge, factorPermille: number): number {
  return charge.callerOwned === true ? factorPermille : 1000;
}

// While the caller is blocked nothing is available before the block ends.
export function blockedStates(charges: readonly LimitCharge[], retryAfterSeconds: number): LimitState[] {
  return charges.map(({ limit }) =>
    limitState(limit, { allowed: false, remaining: 0, resetMs: 0, retryAfterMs: retryAfterSeconds * 1000 }),
  );
}

export function blockedVerdict(
  by: BlockCause,
  charges: readonly LimitCharge[],
  retryAfterSeconds: number,
  mode: LimiterMode,
): Extract<LimitVerdict, { kind: "blocked" }> {
  return { kind: "blocked", by, states: blockedStates(charges, retryAfterSeconds), retryAfterSeconds, mode };
}

// One request's verdict from each limit's figures (in `charges` order). Limits that passed
// must report what stays when nothing is charged. Shadow limits never deny; the ones that
// would have are named in `shadowed`. `factorPermille` < 1000: the caller's own limits were
// lowered, and their states say so in their quota.
export function combineFigures(
  charges: readonly LimitCharge[],
  figures: readonly LimitFigures[],
  mode: LimiterMode,
  factorPermille = 1000,
): Extract<LimitVerdict, { kind: "allowed" | "limited" }> {
  // One pass; the name lists are only made when there is a name to put in them (this runs for
  // every request that asks the limiter).
  const states: LimitState[] = [];
  let violated: string[] | undefined;
  let shadowed: string[] | undefined;
  let retryAfterMs = 0;
  let callerOwned = false;
  for (let i = 0; i < charges.length; i++) {
    const c = charges[i] as LimitCharge;
    const f = figures[i] ?? PASSED;
    states.push(limitState(c.limit, f, chargeFactor(c, factorPermille)));
    if (c.callerOwned === true) callerOwned = true;
    if (c.limit.shadow === true) {
      if (!f.allowed) (shadowed ??= []).push(c.limit.name);
      continue;
    }
    retryAfterMs = Math.max(retryAfterMs, f.retryAfterMs);
    if (!f.allowed) (violated ??= []).push(c.limit.name);
  }
  const lowered = factorPermille < 1000 && callerOwned ? { lowered: factorPermille } : undefined;
  if (violated !== undefined) {
    const limited = { kind: "limited" as const, states, violated, retryAfterSeconds: retryAfterMs / 1000, mode };
    return lowered === undefined ? limited : { ...limited, ...lowered };
  }
  const allowed =
    shadowed === undefined ? { kind: "allowed" as const, states, mode } : { kind: "allowed" as const, states, mode, shadowed };
  return lowered === undefined ? allowed : { ...allowed, ...lowered };
}

const PASSED: LimitFigures = { allowed: true, remaining: 0, resetMs: 0, retryAfterMs: 0 };
