import type { Identity } from "./identity/identity.ts";
import type { LimitState, LimiterMode } from "./limit/limiter-port.ts";
import type { ModelAction } from "./model-action.ts";
import type { PolicyRef } from "./policy/types.ts";
import type { DenyReason } from "./reason.ts";
import type { NormalizedRequest } from "./request/normalized-request.ts";

// The limiter's part of a decision, kept for headers, audit and `modelgate check`.
export interface RateLimitOutcome {
  readonly mode: LimiterMode;
  readonly states: readonly LimitState[];
  readonly violated: readonly string[];
  readonly retryAfterSeconds: number;
  readonly shadowed?: readonly string[]; // shadow limits the request went over (allowed anyway)
  readonly penaltyBox?: boolean; // denied because the caller is blocked (penalty box or anomaly)
  readonly anomalyBlock?: boolean; // … and the block is an anomaly response's
  readonly lowered?: number; // per mille: the caller's own limits were lowered by an anomaly response
}

// What the pipeline learned before it decided; every field is optional because a request
// can be denied at any step.
export interface DecisionFacts {
  readonly id: string;
  readonly requestId: string;
  readonly decidedAt: number;
  readonly identity: Identity | undefined;
  readonly identitySource: string | undefined;
  readonly target: ModelAction | undefined;
  readonly policy: PolicyRef | undefined;
  readonly rateLimit: RateLimitOutcome | undefined;
  // The normalized request the decision was about (undefined when it could not be normalized);
  // the audit recorder hashes its input from it. Never serialized as is.
  readonly request: NormalizedRequest | undefined;
}

export type Decision =
  | (DecisionFacts & {
      readonly allowed: true;
      readonly reason: "allowed";
      readonly credentialHeaders: readonly string[];
    })
  | (DecisionFacts & {
      readonly allowed: false;
      readonly reason: DenyReason;
      readonly detail: string;
      readonly challenge: string | undefined; // WWW-Authenticate value for 401s
    });
