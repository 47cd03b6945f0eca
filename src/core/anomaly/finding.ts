import type { PolicyRef } from "../policy/types.ts";
import type { AnomalyConfig } from "./anomaly-config.ts";
import type { RawFiring } from "./anomaly-plan.ts";
import type { AnomalyObservation, ObservedIdentity } from "./observation.ts";
import { chooseResponse } from "./response-choice.ts";
import { policyChoice, type PolicyResponses } from "./policy-responses.ts";
import type { AnomalyResponse, AnomalyRule } from "./rules.ts";
import { windowIndex, windowStart } from "./window.ts";

// One fired rule, as reported online (an `anomaly` audit record) and offline (`audit analyze`).
// Observed numbers and thresholds are whole numbers with stable names, so a SIEM can read them.

export interface AnomalyFinding {
  readonly rule: AnomalyRule;
  readonly time: number; // the triggering decision's time
  readonly identity: ObservedIdentity;
  readonly windowStart: number;
  readonly windowMs: number;
  readonly observed: Readonly<Record<string, number>>;
  readonly threshold: Readonly<Record<string, number>>;
  readonly response: AnomalyResponse;
  readonly decisionId: string; // the decision that tipped it over
  readonly requestId: string;
  readonly policy: PolicyRef | undefined;
}

function numbers(rule: AnomalyRule, values: readonly number[], config: AnomalyConfig): Pick<AnomalyFinding, "observed" | "threshold"> {
  const [a = 0, b = 0, c = 0] = values;
  switch (rule) {
    case "volume":
      return { observed: { requests: a, baseline_milli: b }, threshold: { requests: c } };
    case "probing": {
      const p = config.rules.probing;
      return {
        observed: { requests: a, bad: b, share_permille: c },
        threshold: { min_requests: p.minRequests, share_permille: p.sharePermille },
      };
    }
    case "reconnaissance":
      return { observed: { models: a }, threshold: { models: config.rules.reconnaissance.models } };
    case "sharing":
      return { observed: { sources: a }, threshold: { sources: config.rules.sharing.sources } };
  }
}

export function findingOf(raw: RawFiring, obs: AnomalyObservation, config: AnomalyConfig, responses: PolicyResponses): AnomalyFinding {
  const windowMs = config.rules[raw.rule].windowMs;
  return {
    rule: raw.rule,
    time: obs.time,
    identity: obs.identity,
    windowStart: windowStart(windowIndex(obs.time, windowMs), windowMs),
    windowMs,
    ...numbers(raw.rule, raw.values, config),
    response: chooseResponse(config, raw.rule, policyChoice(responses, obs.policy, raw.rule)),
    decisionId: obs.decisionId,
    requestId: obs.requestId,
    policy: obs.policy,
  };
}
