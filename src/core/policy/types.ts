import type { AnomalyResponses } from "../anomaly/rules.ts";
import type { Identity } from "../identity/identity.ts";
import type { ModelAction } from "../model-action.ts";
import type { NormalizedRequest } from "../request/normalized-request.ts";

// How a limit's counter is keyed. `identity` is the default.
export type LimitKey =
  | { readonly kind: "identity" }
  | { readonly kind: "identity-model" }
  | { readonly kind: "attribute"; readonly name: string }
  | { readonly kind: "source" };

// `requests` per `periodMs`, admitted as GCRA: up to `burst` at once, then evenly spread.
// A `shadow` limit is counted but never denies (dark launch); absent means enforced.
export interface LimitSpec {
  readonly name: string;
  readonly requests: number;
  readonly periodMs: number;
  readonly burst: number;
  readonly by: LimitKey;
  readonly shadow?: boolean;
}

// What the limiter does for a policy's limits when Redis is unreachable: `open` degrades to
// the local per-replica limiter, `closed` denies with 503.
export type FailureMode = "open" | "closed";

// After `violations` enforced rate-limit violations within `withinMs` (counted from the first),
// the identity is blocked for `blockMs`; a block that starts within `maxBlockMs` of the end of
// the previous one lasts twice as long, up to `maxBlockMs`.
export interface PenaltyBoxSpec {
  readonly violations: number;
  readonly withinMs: number;
  readonly blockMs: number;
  readonly maxBlockMs: number;
}

// Which rule decided; goes to responses (rule name only), audit and `modelgate check`.
export interface PolicyRef {
  readonly namespace: string;
  readonly name: string;
  readonly generation: number;
  readonly rule: string;
}

export interface EvaluationInput {
  readonly identity: Identity;
  readonly target: ModelAction;
  readonly request: NormalizedRequest;
  readonly environment: string;
}

export type Evaluation =
  | {
      readonly effect: "allow";
      readonly policy: PolicyRef;
      // The allowing rule's own limits (counters scoped to that rule) and the allowing policy's
      // policy-wide `spec.limits` (counters shared by every rule of the policy). Kept apart so
      // the limiter can key them by different scopes.
      readonly ruleLimits: readonly LimitSpec[];
      readonly policyLimits: readonly LimitSpec[];
      // The allowing policy's limiter settings.
      readonly failureMode: FailureMode;
      readonly penaltyBox: PenaltyBoxSpec | undefined;
    }
  | {
      readonly effect: "deny";
      readonly reason: "policy_denied" | "policy_no_match";
      readonly policy: PolicyRef | undefined; // the Deny rule that matched, if any
    };

export interface RouteMatch {
  readonly model: string;
  readonly action: string;
  readonly policy: PolicyRef; // rule is "" for routes
}

// The compiled, immutable policy set. Swapped whole when sources change; the hot path only
// calls these two pure functions.
export interface PolicyIndex {
  readonly policyCount: number;
  // Custom routes of the policies, checked before the protocol profile. `defaultModel` is used
  // when the pattern captures no model; a route applies only to models its own policy governs.
  matchRoute(method: string, path: string, defaultModel: string): RouteMatch | undefined;
  evaluate(input: EvaluationInput): Evaluation;
  // The policy's `spec.anomaly` choices; undefined when no such policy is loaded.
  anomalyResponses(namespace: string, name: string): AnomalyResponses | undefined;
}
