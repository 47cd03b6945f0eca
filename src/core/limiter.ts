import type { LimitSpec, PenaltyBoxSpec } from "./policy/types.ts";

// One limit to check and charge for this request; `key` already includes the identity part.
export interface LimitCharge {
  readonly key: string;
  readonly limit: LimitSpec;
}

// The allowing policy's penalty box for this caller.
export interface PenaltyBoxCharge {
  readonly key: string;
  readonly spec: PenaltyBoxSpec;
}

// Everything the limiter needs for one request.
export interface ChargeRequest {
  readonly charges: readonly LimitCharge[];
  readonly cost: number;
  // The allowing policy's failure mode is `closed`: no local fallback while Redis is down.
  readonly failClosed: boolean;
  readonly penaltyBox: PenaltyBoxCharge | undefined;
}

// What the RateLimit / RateLimit-Policy headers report for one limit.
export interface LimitState {
  readonly name: string;
  readonly quota: number;
  readonly windowSeconds: number;
  readonly remaining: number;
  readonly resetSeconds: number; // seconds until at least one more unit is available
  readonly shadow?: boolean; // a shadow limit: counted, never enforced, not shown to the client
}

export type LimiterMode = "local" | "redis";

export type LimitVerdict =
  | {
      readonly kind: "allowed";
      readonly states: readonly LimitState[];
      readonly mode: LimiterMode;
      readonly shadowed?: readonly string[]; // shadow limits this request went over; absent when none
    }
  | {
      readonly kind: "limited";
      readonly states: readonly LimitState[];
      readonly violated: readonly string[];
      readonly retryAfterSeconds: number;
      readonly mode: LimiterMode;
    }
  // The caller is in the penalty box: nothing was checked or charged.
  | { readonly kind: "blocked"; readonly states: readonly LimitState[]; readonly retryAfterSeconds: number; readonly mode: LimiterMode }
  | { readonly kind: "unavailable"; readonly detail: string };

// Every limit in `request.charges` is checked and, only if all enforced ones pass, charged
// `request.cost` — atomically. A denied request consumes nothing.
export interface Limiter {
  charge(request: ChargeRequest): Promise<LimitVerdict>;
}

