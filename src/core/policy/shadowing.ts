// Best-effort dead-rule detection for policy status: an Allow rule can never decide when an
// earlier Allow rule (in evaluation order) matches everyone, unconditionally, for at least the
// same actions and models. Rules with conditions or narrower subjects are never reported as
// shadowing, so every report is certain; some dead rules go unreported.
import { coversAll } from "./action-set.ts";
import type { CompiledPolicy, CompiledRule } from "./compiled-policy.ts";
import { policyKey } from "./compiled-policy.ts";
import { SERVER_WIDE } from "./model-glob.ts";

export interface RuleLocation {
  readonly policy: string; // "namespace/name"
  readonly rule: string;
}

export interface ShadowedRule extends RuleLocation {
  readonly shadowedBy: RuleLocation;
}

interface Candidate {
  readonly policy: CompiledPolicy;
  readonly rule: CompiledRule;
}

export function findShadowedRules(sorted: readonly CompiledPolicy[]): ShadowedRule[] {
  const candidates: Candidate[] = [];
  const found: ShadowedRule[] = [];
  for (const policy of sorted) {
    for (const rule of policy.allowRules) {
      const by = candidates.find((c) => coversAll(c.rule.actions, rule.actions) && coversModels(c.policy, policy));
      if (by !== undefined) found.push(Object.freeze({ ...locate(policy, rule), shadowedBy: locate(by.policy, by.rule) }));
      if (rule.everyone && rule.when === undefined) candidates.push({ policy, rule });
    }
  }
  return found;
}

// Syntactic on purpose: the same glob written in both, or `**` in the earlier policy for every
// named model (`(server)`, which Allow rules only reach when it is listed, must be in both).
function coversModels(earlier: CompiledPolicy, later: CompiledPolicy): boolean {
  if (earlier === later) return true;
  return later.models.every((glob) => earlier.models.includes(glob) || (glob !== SERVER_WIDE && earlier.models.includes("**")));
}

function locate(policy: CompiledPolicy, rule: CompiledRule): RuleLocation {
  return Object.freeze({ policy: policyKey(policy.namespace, policy.name), rule: rule.name });
}
