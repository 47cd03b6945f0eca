import type { AnomalyConfig } from "./anomaly-config.ts";
import { ALERT_ONLY, type AnomalyAction, type AnomalyResponse, type AnomalyRule } from "./rules.ts";

// The response to a fired rule: the triggering decision's AccessPolicy may choose one in its
// `spec.anomaly` (`chosenByPolicy`), otherwise the rule's own `response` applies. Period and
// factor always come from the rule, so one place holds how long and how hard.
export function chooseResponse(config: AnomalyConfig, rule: AnomalyRule, chosenByPolicy: AnomalyAction | undefined): AnomalyResponse {
  const ruleConfig = config.rules[rule];
  switch (chosenByPolicy ?? ruleConfig.response) {
    case "alert":
      return ALERT_ONLY;
    case "block":
      return { action: "block", periodMs: ruleConfig.periodMs, limitFactor: 1 };
    case "lower-limits":
      return { action: "lower-limits", periodMs: ruleConfig.periodMs, limitFactor: ruleConfig.limitFactorPermille / 1000 };
  }
}
