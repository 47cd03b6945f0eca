import type { AnomalyAction } from "./rules.ts";
import type { StatusPattern } from "./status-pattern.ts";

// The `anomaly.rules` section: thresholds per rule and the response each rule chooses (an
// AccessPolicy may choose its own in spec.anomaly).

export interface RuleCommon {
  readonly enabled: boolean;
  readonly windowMs: number;
  readonly response: AnomalyAction;
  readonly periodMs: number; // how long a block or lowered limits last
  readonly cooldownMs: number; // at most one alert per identity and rule within this
  readonly limitFactorPermille: number; // lower-limits: the identity's limits × this / 1000
}

export interface VolumeRuleConfig extends RuleCommon {
  readonly factorPermille: number; // alert above factor × baseline …
  readonly minRequests: number; // … and at least this many requests in the window
  readonly baselineWindows: number; // N: the mean of the first N windows, then weight 1/N per window
}

export interface ProbingRuleConfig extends RuleCommon {
  readonly sharePermille: number; // bad decisions / all decisions at or above this …
  readonly minRequests: number; // … with at least this many decisions in the window
  readonly denialStatuses: readonly number[]; // denials with these HTTP statuses are bad
  readonly errorStatuses: readonly StatusPattern[]; // model responses with these statuses are bad
}

export interface ReconnaissanceRuleConfig extends RuleCommon {
  readonly models: number; // distinct models in one window
}

export interface SharingRuleConfig extends RuleCommon {
  readonly sources: number; // distinct source addresses (IPv6: /64 networks) in one window
}

export interface RulesConfig {
  readonly volume: VolumeRuleConfig;
  readonly probing: ProbingRuleConfig;
  readonly reconnaissance: ReconnaissanceRuleConfig;
  readonly sharing: SharingRuleConfig;
}

const MINUTE = 60_000;
const COMMON: Omit<RuleCommon, "windowMs"> = {
  enabled: true,
  response: "alert",
  periodMs: 15 * MINUTE,
  cooldownMs: 10 * MINUTE,
  limitFactorPermille: 500,
};

export const RULE_DEFAULTS: RulesConfig = {
  volume: { ...COMMON, windowMs: MINUTE, factorPermille: 10_000, minRequests: 300, baselineWindows: 60 },
  probing: {
    ...COMMON,
    windowMs: 5 * MINUTE,
    sharePermille: 500,
    minRequests: 20,
    denialStatuses: [400, 403],
    errorStatuses: [{ kind: "class", hundreds: 5 }],
  },
  reconnaissance: { ...COMMON, windowMs: 10 * MINUTE, models: 20 },
  sharing: { ...COMMON, windowMs: 10 * MINUTE, sources: 20 },
};
