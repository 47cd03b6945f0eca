import type { LimitSpec } from "./policy/types.ts";

// One limit to check and charge for this request; `key` already includes the identity part.
export interface LimitCharge {
  readonly key: string;
  readonly limit: LimitSpec;
}

// What the RateLimit / RateLimit-Policy headers report for one limit.
export interface LimitState {
  readonly name: string;
  readonly quota: number;
  readonly windowSeconds: number;
  readonly remaining: number;
  readonly resetSeconds: number; // seconds until at least one more unit is available
}

export type LimiterMode = "local" | "redis";

export type LimitVerdict =
  | { readonly kind: "allowed"; readonly states: readonly LimitState[]; readonly mode: LimiterMode }
  | {
      readonly kind: "limited";
      readonly states: readonly LimitState[];
      readonly violated: readonly string[];
      readonly retryAfterSeconds: number;
      readonly mode: LimiterMode;
    }
  | { readonly kind: "unavailable"; readonly detail: string };

// Every limit in `charges` is checked and, only if all pass, charged `cost` — atomically.
// A denied request consumes nothing.
export interface Limiter {
  charge(charges: readonly LimitCharge[], cost: number): Promise<LimitVerdict>;
}
