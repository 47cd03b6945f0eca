import type { MaybePromise } from "../maybe-promise.ts";
import type { LimitSpec, PenaltyBoxSpec } from "../policy/types.ts";

// One limit to check and charge for this request; `key` already includes the identity part.
// `callerOwned`: the counter belongs to the caller alone (not to an org or a source address),
// so limits lowered for the caller by an anomaly response apply to it.
export interface LimitCharge {
  readonly key: string;
  readonly limit: LimitSpec;
  readonly callerOwned?: boolean;
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
  // The caller's sanction key (sanction.ts), when anomaly responses may block the caller or
  // lower its limits: the limiter then runs even for a request without limits.
  readonly sanction?: string;
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

export type BlockCause = "penalty_box" | "anomaly";

export type LimitVerdict =
  | {
      readonly kind: "allowed";
      readonly states: readonly LimitState[];
      readonly mode: LimiterMode;
      readonly shadowed?: readonly string[]; // shadow limits this request went over; absent when none
      readonly lowered?: number; // per mille: the caller's own limits were lowered by an anomaly response
    }
  | {
      readonly kind: "limited";
      readonly states: readonly LimitState[];
      readonly violated: readonly string[];
      readonly retryAfterSeconds: number;
      readonly mode: LimiterMode;
      readonly lowered?: number;
    }
  // The caller is blocked, by the policy's penalty box or by an anomaly response: nothing was
  // checked or charged.
  | {
      readonly kind: "blocked";
      readonly by: BlockCause;
      readonly states: readonly LimitState[];
      readonly retryAfterSeconds: number;
      readonly mode: LimiterMode;
    }
  | { readonly kind: "unavailable"; readonly detail: string };

// Tells a call that nobody waits for its answer any more: the caller's deadline passed and a
// denial already went out. An AbortSignal satisfies it.
export interface Cancellation {
  readonly aborted: boolean;
}

// Every limit in `request.charges` is checked and, only if all enforced ones pass, charged
// `request.cost` — atomically. A denied request consumes nothing: a call cancelled before it
// charged charges nothing, and one cancelled while it was charging gives the charge back.
// A limiter that needs no I/O (the in-process one) answers with the verdict itself, so a
// decision it limits need not wait a microtask turn.
export interface Limiter {
  charge(request: ChargeRequest, cancel?: Cancellation): MaybePromise<LimitVerdict>;
}
