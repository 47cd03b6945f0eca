import type { PenaltyBoxSpec } from "../policy/types.ts";
import { GRID } from "./gcra.ts";

// The penalty box, as pure arithmetic on whole grid steps (1/1024 ms, like gcra.ts), so the
// Redis script (src/adapters/limiter/limiter-lua.ts) can repeat it integer for integer.
// Violations are counted in a fixed window that starts with the first one: simple to explain
// ("10 violations within a minute"), and its edge matters little for catching abusers.

export interface PenaltyState {
  readonly count: number; // violations in the current window
  readonly windowEnd: number; // when the current window closes; 0 when there is none
  readonly blockedUntil: number; // end of the latest block; 0 when never blocked
  readonly level: number; // blocks in a row: the next one lasts block × 2^level
}

export interface ViolationOutcome {
  readonly state: PenaltyState;
  readonly blockSteps: number; // the block this violation started; 0 when it started none
  readonly keepUntil: number; // after this, the state is the same as no state at all
}

// Steps left in the current block; 0 when not blocked.
export function blockRemaining(state: PenaltyState | undefined, now: number): number {
  return state !== undefined && state.blockedUntil > now ? state.blockedUntil - now : 0;
}

export function blockLength(spec: PenaltyBoxSpec, level: number): number {
  const max = spec.maxBlockMs * GRID;
  let steps = spec.blockMs * GRID;
  for (let i = 1; i < level && steps < max; i++) steps *= 2;
  return Math.min(steps, max);
}

export function recordViolation(spec: PenaltyBoxSpec, state: PenaltyState | undefined, now: number): ViolationOutcome {
  const max = spec.maxBlockMs * GRID;
  const previous = state ?? NONE;
  // The streak of blocks is remembered until maxBlock after the last one ended.
  const remembered = previous.level > 0 && previous.blockedUntil + max > now;
  const fresh = previous.windowEnd <= now;
  const count = (fresh ? 0 : previous.count) + 1;
  const windowEnd = fresh ? now + spec.withinMs * GRID : previous.windowEnd;
  if (count < spec.violations) {
    const next = remembered
      ? { count, windowEnd, blockedUntil: previous.blockedUntil, level: previous.level }
      : { count, windowEnd, blockedUntil: 0, level: 0 };
    return { state: next, blockSteps: 0, keepUntil: keepUntil(next, max) };
  }
  const level = (remembered ? previous.level : 0) + 1;
  const blockSteps = blockLength(spec, level);
  const next = { count: 0, windowEnd: 0, blockedUntil: now + blockSteps, level };
  return { state: next, blockSteps, keepUntil: keepUntil(next, max) };
}

const NONE: PenaltyState = { count: 0, windowEnd: 0, blockedUntil: 0, level: 0 };

function keepUntil(state: PenaltyState, maxSteps: number): number {
  return Math.max(state.windowEnd, state.level > 0 ? state.blockedUntil + maxSteps : 0);
}
