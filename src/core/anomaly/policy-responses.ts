import type { PolicyRef } from "../policy/types.ts";
import type { AnomalyAction, AnomalyResponses, AnomalyRule } from "./rules.ts";

// Looks up the `spec.anomaly` choices of the AccessPolicy that made a decision. The server reads
// the policies it serves; `audit analyze` has none unless given policy files.
export type PolicyResponses = (policy: PolicyRef) => AnomalyResponses | undefined;

export const NO_POLICY_RESPONSES: PolicyResponses = () => undefined;

// What the decision's policy chose for `rule`; undefined when the decision had no policy
// (policy_no_match), the policy is no longer loaded, or it says nothing about this rule.
export function policyChoice(responses: PolicyResponses, policy: PolicyRef | undefined, rule: AnomalyRule): AnomalyAction | undefined {
  return policy === undefined ? undefined : responses(policy)?.[rule];
}
