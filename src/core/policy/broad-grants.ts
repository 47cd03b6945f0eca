// Policy analysis for status and `modelgate check`: Allow rules that open every model, or the
// server-wide model list and statistics, to anyone of a kind (audience.ts). Such a rule is valid
// and sometimes meant, so it is a warning, not an error. Only unconditional rules are reported
// (a `when` may narrow the audience in ways this does not try to judge), so every report is certain.
import type { ActionSet } from "./action-set.ts";
import { coversAction } from "./action-set.ts";
import { audienceText } from "./audience.ts";
import type { CompiledPolicy, CompiledRule } from "./compiled-policy.ts";
import { policyKey } from "./compiled-policy.ts";
import { isCatchAll, SERVER_WIDE } from "./model-glob.ts";

export interface PolicyWarning {
  readonly policy: string; // "namespace/name"
  readonly rule: string;
  readonly message: string;
}

// One line for logs and `modelgate check`: "namespace/name rule r: grants …".
export function warningText(w: PolicyWarning): string {
  return `${w.policy} rule ${w.rule}: ${w.message}`;
}

// Server-wide actions that reveal which models exist (the list, statistics of all models).
const REVEALING_SERVER_ACTIONS = ["list", "read", "stats"];

export function findBroadGrants(policies: readonly CompiledPolicy[]): PolicyWarning[] {
  const found: PolicyWarning[] = [];
  for (const policy of policies) {
    for (const rule of policy.allowRules) {
      const message = broadGrant(policy, rule);
      if (message !== undefined) found.push(Object.freeze({ policy: policyKey(policy.namespace, policy.name), rule: rule.name, message }));
    }
  }
  return found;
}

function broadGrant(policy: CompiledPolicy, rule: CompiledRule): string | undefined {
  const audience = rule.audience;
  if (audience === undefined || rule.when !== undefined) return undefined;
  const catchAll = policy.models.find(isCatchAll);
  if (catchAll !== undefined) {
    return `grants ${actionsText(rule.actions)} on every model (models: ${JSON.stringify(catchAll)}) to ${audienceText(audience)}; name the models it is meant for, and use ${JSON.stringify(SERVER_WIDE)} for the routes that name no model`;
  }
  const revealing = REVEALING_SERVER_ACTIONS.filter((a) => coversAction(rule.actions, a));
  if (policy.models.includes(SERVER_WIDE) && audience.kind === "everyone" && revealing.length > 0) {
    return `grants ${listText(revealing)} on the server-wide routes (the model list, statistics of every model) to ${audienceText(audience)}: anyone can learn which models exist`;
  }
  return undefined;
}

function listText(items: readonly string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1) ?? ""}`;
}

function actionsText(actions: ActionSet): string {
  const named = [...actions.named].sort();
  if (actions.wildcard) return named.length === 0 ? "every action (*)" : `every action (*, ${named.join(", ")})`;
  return named.join(", ");
}
