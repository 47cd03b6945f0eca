import { GRID } from "./gcra.ts";

// What an anomaly response put on one identity, across every policy: a block, lowered limits,
// or both. Times are whole grid steps (1/1024 ms, like gcra.ts) so the Redis scripts
// (src/adapters/limiter/limiter-lua.ts, sanction-lua.ts) repeat this integer for integer.
// A second response never shortens or softens the first: the later end and the lower factor win.

export const FULL_FACTOR = 1000; // per mille: limits as written

export interface Sanction {
  readonly blockedUntil: number; // 0 when never blocked
  readonly factorPermille: number; // FULL_FACTOR when limits were never lowered
  readonly factorUntil: number; // 0 when limits were never lowered
}

export type SanctionOrder =
  | { readonly kind: "block"; readonly periodMs: number }
  | { readonly kind: "lower-limits"; readonly factorPermille: number; readonly periodMs: number };

const NONE: Sanction = { blockedUntil: 0, factorPermille: FULL_FACTOR, factorUntil: 0 };

// Steps left in the block; 0 when not blocked.
export function sanctionBlockRemaining(sanction: Sanction | undefined, now: number): number {
  return sanction !== undefined && sanction.blockedUntil > now ? sanction.blockedUntil - now : 0;
}

// The factor in force at `now`.
export function sanctionFactor(sanction: Sanction | undefined, now: number): number {
  return sanction !== undefined && sanction.factorUntil > now ? sanction.factorPermille : FULL_FACTOR;
}

export function imposeSanction(previous: Sanction | undefined, order: SanctionOrder, now: number): Sanction {
  const current = previous ?? NONE;
  const until = now + order.periodMs * GRID;
  if (order.kind === "block") return { ...current, blockedUntil: Math.max(current.blockedUntil, until) };
  const factor = Math.min(sanctionFactor(current, now), order.factorPermille);
  return { ...current, factorPermille: factor, factorUntil: Math.max(current.factorUntil, until) };
}

// After this instant the sanction is the same as none at all.
export function sanctionKeepUntil(sanction: Sanction): number {
  return Math.max(sanction.blockedUntil, sanction.factorUntil);
}

// Where sanctions are written: the limiter that enforces them (Redis, shared by every replica,
// or the in-process limiter). Rejects when the write fails; the caller counts that.
export interface SanctionPort {
  impose(sanctionKey: string, order: SanctionOrder): Promise<void>;
}
