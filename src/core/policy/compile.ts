// Turns validated AccessPolicies (one namespace's worth: the caller scopes them) into the
// immutable PolicyIndex the hot path uses. A policy that fails to compile is left out and
// reported. Of two policies with the same namespace/name the first is kept, even when it fails,
// so which one is served never depends on validity.
import { matchRoute as matchRoutePattern } from "../request/route-pattern.ts";
import type { Issue } from "../result.ts";
import type { AccessPolicy, FailureMode } from "./access-policy.ts";
import { createCelEnv } from "./cel.ts";
import type { CompiledPolicy, CompiledRoute } from "./compiled-policy.ts";
import { compilePolicy, policyKey } from "./compiled-policy.ts";
import { evaluatePolicies } from "./evaluate.ts";
import type { PolicyWarning } from "./broad-grants.ts";
import { findBroadGrants } from "./broad-grants.ts";
import type { ShadowedRule } from "./shadowing.ts";
import { findShadowedRules } from "./shadowing.ts";
import type { EvaluationInput, PolicyIndex, PolicyRef, RouteMatch } from "./types.ts";

// The PolicyIndex plus what later steps need about the policy that allowed a request.
export interface CompiledPolicyIndex extends PolicyIndex {
  // The limiter failure mode of the policy named by `ref` (an Evaluation's policy); "open" if unknown.
  failureModeOf(ref: PolicyRef): FailureMode;
}

export interface PolicyIssues {
  readonly policy: string; // "namespace/name"
  readonly issues: readonly Issue[];
}

export interface CompiledPolicies {
  readonly index: CompiledPolicyIndex;
  readonly issues: readonly PolicyIssues[];
  readonly shadowed: readonly ShadowedRule[];
  readonly warnings: readonly PolicyWarning[]; // valid but risky rules (broad-grants.ts)
}

export function compilePolicies(policies: readonly AccessPolicy[]): CompiledPolicies {
  const env = createCelEnv();
  const issues: PolicyIssues[] = [];
  const seen = new Set<string>();
  const byKey = new Map<string, CompiledPolicy>();
  for (const policy of policies) {
    const key = policyKey(policy.metadata.namespace, policy.metadata.name);
    if (seen.has(key)) {
      issues.push({ policy: key, issues: [{ path: "metadata.name", message: `duplicate policy ${key}; the first one is kept` }] });
      continue;
    }
    seen.add(key);
    const compiled = compilePolicy(policy, env);
    if (compiled.ok) byKey.set(key, compiled.value);
    else issues.push({ policy: key, issues: compiled.error });
  }
  const sorted = Object.freeze([...byKey.values()].sort(evaluationOrder));
  return Object.freeze({
    index: buildIndex(sorted, byKey),
    issues: Object.freeze(issues),
    shadowed: Object.freeze(findShadowedRules(sorted)),
    warnings: Object.freeze(findBroadGrants(sorted)),
  });
}

// Priority descending, then namespace and name ascending by code unit, so the order is the same
// on every replica whatever the locale.
function evaluationOrder(a: CompiledPolicy, b: CompiledPolicy): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return compareText(a.namespace, b.namespace) || compareText(a.name, b.name);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function buildIndex(sorted: readonly CompiledPolicy[], byKey: ReadonlyMap<string, CompiledPolicy>): CompiledPolicyIndex {
  return Object.freeze({
    policyCount: sorted.length,
    evaluate: (input: EvaluationInput) => evaluatePolicies(sorted, input),
    matchRoute: (method: string, path: string, defaultModel: string) => firstRoute(sorted, method, path, defaultModel),
    failureModeOf: (ref: PolicyRef) => byKey.get(policyKey(ref.namespace, ref.name))?.failureMode ?? "open",
    anomalyResponses: (namespace: string, name: string) => byKey.get(policyKey(namespace, name))?.anomaly,
  });
}

// Indexed loops: this runs on every request, and `for…of` left an iterator and its results
// behind per loop there (measured with bench/decide-alloc.ts).
function firstRoute(sorted: readonly CompiledPolicy[], method: string, path: string, defaultModel: string): RouteMatch | undefined {
  for (let p = 0; p < sorted.length; p++) {
    const policy = sorted[p] as CompiledPolicy;
    for (let r = 0; r < policy.routes.length; r++) {
      const route = policy.routes[r] as CompiledRoute;
      const matched = matchRoutePattern(route.pattern, method, path);
      if (matched === undefined) continue;
      const model = matched.model ?? defaultModel;
      if (policy.governs(model)) return Object.freeze({ model, action: route.action, policy: policy.routeRef });
    }
  }
  return undefined;
}
