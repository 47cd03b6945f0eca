// One AccessPolicy turned into the data the hot path reads: glob and subject closures, planned
// CEL programs, and the Evaluation each rule returns, built once so evaluate allocates nothing.
import type { CelEnv } from "@bufbuild/cel";
import type { Audience } from "./audience.ts";
import { broadestAudience } from "./audience.ts";
import { compileRoutePattern } from "../request/route-pattern.ts";
import type { RoutePattern } from "../request/route-pattern.ts";
import type { Issue, Result } from "../result.ts";
import { err, ok } from "../result.ts";
import type { FailureMode, AccessPolicy } from "./access-policy.ts";
import type { ActionSet, Effect } from "./action-set.ts";
import { actionSet } from "./action-set.ts";
import type { WhenProgram } from "./cel.ts";
import { compileWhen } from "./cel.ts";
import type { StringMatcher } from "./glob.ts";
import { compileModelScope } from "./model-glob.ts";
import type { RuleSpec } from "./rule.ts";
import type { IdentityPredicate } from "./subject-predicate.ts";
import { compileSubjects, isEveryone } from "./subject-predicate.ts";
import type { Evaluation, LimitSpec, PenaltyBoxSpec, PolicyRef } from "./types.ts";
import type { AnomalyResponses } from "../anomaly/rules.ts";

export interface CompiledRule {
  readonly name: string;
  readonly effect: Effect;
  readonly actions: ActionSet;
  readonly subjects: IdentityPredicate;
  readonly everyone: boolean; // a `{}` subject: matches any identity, anonymous included
  readonly audience: Audience | undefined; // for the analysis only: anyone of a kind, if so
  readonly when: WhenProgram | undefined;
  readonly decision: Evaluation; // returned as is when this rule decides
}

export interface CompiledRoute {
  readonly pattern: RoutePattern;
  readonly action: string;
}

export interface CompiledPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly priority: number;
  readonly failureMode: FailureMode;
  readonly anomaly: AnomalyResponses;
  readonly models: readonly string[];
  readonly governs: StringMatcher; // models its Deny rules and routes apply to
  readonly allows: StringMatcher; // models its Allow rules apply to (see model-glob.ts)
  readonly denyRules: readonly CompiledRule[];
  readonly allowRules: readonly CompiledRule[];
  readonly routes: readonly CompiledRoute[];
  readonly routeRef: PolicyRef; // rule is "" for routes
}

export function policyKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function compilePolicy(policy: AccessPolicy, env: CelEnv): Result<CompiledPolicy, Issue[]> {
  const issues: Issue[] = [];
  const { metadata, spec } = policy;
  const ref = (rule: string): PolicyRef =>
    Object.freeze({ namespace: metadata.namespace, name: metadata.name, generation: metadata.generation, rule });
  const scope: RuleScope = {
    env,
    ref,
    policyLimits: spec.limits,
    limiter: { failureMode: spec.failureMode, penaltyBox: spec.penaltyBox },
    issues,
  };
  const rules = spec.rules.map((rule, i) => compileRule(rule, `spec.rules[${i}]`, scope));
  const routes = spec.routes.map((route, i) => {
    const pattern = compileRoutePattern(route.method, route.path);
    if (!pattern.ok) issues.push({ path: `spec.routes[${i}].path`, message: pattern.error });
    return pattern.ok ? Object.freeze({ pattern: pattern.value, action: route.action }) : undefined;
  });
  if (issues.length > 0) return err(issues);
  const compiled = rules.filter((rule) => rule !== undefined);
  return ok(
    Object.freeze({
      namespace: metadata.namespace,
      name: metadata.name,
      priority: spec.priority,
      failureMode: spec.failureMode,
      anomaly: spec.anomaly,
      models: spec.models,
      ...compileModelScope(spec.models),
      denyRules: Object.freeze(compiled.filter((rule) => rule.effect === "Deny")),
      allowRules: Object.freeze(compiled.filter((rule) => rule.effect === "Allow")),
      routes: Object.freeze(routes.filter((route) => route !== undefined)),
      routeRef: ref(""),
    }),
  );
}

// What every rule of one policy is compiled against.
interface RuleScope {
  readonly env: CelEnv;
  readonly ref: (rule: string) => PolicyRef;
  readonly policyLimits: readonly LimitSpec[];
  readonly limiter: LimiterSettings;
  readonly issues: Issue[];
}

// The policy-wide limiter settings every Allow decision of the policy carries.
interface LimiterSettings {
  readonly failureMode: FailureMode;
  readonly penaltyBox: PenaltyBoxSpec | undefined;
}

function compileRule(rule: RuleSpec, path: string, scope: RuleScope): CompiledRule | undefined {
  let when: WhenProgram | undefined;
  if (rule.when !== undefined) {
    const program = compileWhen(scope.env, rule.when);
    if (!program.ok) {
      scope.issues.push({ path: `${path}.when`, message: program.error });
      return undefined;
    }
    when = program.value;
  }
  return Object.freeze({
    name: rule.name,
    effect: rule.effect,
    actions: actionSet(rule.actions, rule.effect),
    subjects: compileSubjects(rule.subjects),
    everyone: rule.subjects.some(isEveryone),
    audience: broadestAudience(rule.subjects),
    when,
    decision: decisionOf(rule, scope.ref(rule.name), scope.policyLimits, scope.limiter),
  });
}

// Only the allowing policy's own policy-wide limits stack on the rule's limits, never those of
// other policies that govern the same model.
function decisionOf(rule: RuleSpec, policy: PolicyRef, policyLimits: readonly LimitSpec[], limiter: LimiterSettings): Evaluation {
  if (rule.effect === "Deny") return Object.freeze({ effect: "deny", reason: "policy_denied", policy });
  return Object.freeze({ effect: "allow", policy, ruleLimits: rule.limits, policyLimits, ...limiter });
}
