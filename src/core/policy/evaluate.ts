// The decision procedure over compiled policies (already sorted by priority, then name):
// any matching Deny rule of any governing policy denies; otherwise the first matching Allow rule
// in that order decides; otherwise nothing allows the request. A policy's Allow rules may cover
// fewer models than its Deny rules: only `(server)` opens the routes that name no model.
import type { CelBindings } from "./cel-bindings.ts";
import { celBindings } from "./cel-bindings.ts";
import { coversAction } from "./action-set.ts";
import type { CompiledPolicy, CompiledRule } from "./compiled-policy.ts";
import type { Evaluation, EvaluationInput } from "./types.ts";

export const NO_MATCH: Evaluation = Object.freeze({ effect: "deny", reason: "policy_no_match", policy: undefined });

// Per-request state: the CEL bindings are built only if some rule with `when` gets that far.
interface Context {
  readonly input: EvaluationInput;
  bindings: CelBindings | undefined;
}

export function evaluatePolicies(policies: readonly CompiledPolicy[], input: EvaluationInput): Evaluation {
  const context: Context = { input, bindings: undefined };
  let allow: Evaluation | undefined;
  // Indexed loops: `for…of` left an iterator and its results behind per request here.
  for (let p = 0; p < policies.length; p++) {
    const policy = policies[p] as CompiledPolicy;
    if (!policy.governs(input.target.model)) continue;
    const denied = firstMatch(policy.denyRules, context);
    if (denied !== undefined) return denied.decision;
    if (allow === undefined && policy.allows(input.target.model)) allow = firstMatch(policy.allowRules, context)?.decision;
  }
  return allow ?? NO_MATCH;
}

function firstMatch(rules: readonly CompiledRule[], context: Context): CompiledRule | undefined {
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r] as CompiledRule;
    if (ruleMatches(rule, context)) return rule;
  }
  return undefined;
}

function ruleMatches(rule: CompiledRule, context: Context): boolean {
  const { identity, target } = context.input;
  if (!coversAction(rule.actions, target.action) || !rule.subjects(identity)) return false;
  if (rule.when === undefined) return true;
  context.bindings ??= celBindings(context.input);
  const outcome = rule.when(context.bindings);
  // A condition that cannot be evaluated must never grant access, and must never lift a denial.
  return outcome === true || (outcome === "error" && rule.effect === "Deny");
}
