import { ConfigReader } from "../parse/config-reader.ts";
import { durationMs, permille, statusList } from "./config-values.ts";
import { ANOMALY_ACTIONS, ANOMALY_RULES, type AnomalyAction } from "./rules.ts";
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
const COMMON: Omit<RuleCommon, "windowMs"> = { enabled: true, response: "alert", periodMs: 15 * MINUTE, cooldownMs: 10 * MINUTE, limitFactorPermille: 500 };

export const RULE_DEFAULTS: RulesConfig = {
  volume: { ...COMMON, windowMs: MINUTE, factorPermille: 10_000, minRequests: 300, baselineWindows: 60 },
  probing: { ...COMMON, windowMs: 5 * MINUTE, sharePermille: 500, minRequests: 20, denialStatuses: [400, 403], errorStatuses: [{ kind: "class", hundreds: 5 }] },
  reconnaissance: { ...COMMON, windowMs: 10 * MINUTE, models: 20 },
  sharing: { ...COMMON, windowMs: 10 * MINUTE, sources: 20 },
};

const COMMON_KEYS = ["enabled", "window", "response", "period", "cooldown", "limitFactor"];
const DAY = 86_400_000;
type Raw = Record<string, unknown>;

function common(r: ConfigReader, s: Raw, at: string, d: RuleCommon): RuleCommon {
  return {
    enabled: r.boolean(s, `${at}.enabled`, d.enabled),
    windowMs: durationMs(r, s, `${at}.window`, d.windowMs, 1000, DAY),
    response: r.oneOf(s, `${at}.response`, ANOMALY_ACTIONS, d.response),
    periodMs: durationMs(r, s, `${at}.period`, d.periodMs, 1000, 30 * DAY),
    cooldownMs: durationMs(r, s, `${at}.cooldown`, d.cooldownMs, 1000, 30 * DAY),
    // At least 0.001: a factor rounding to 0 would stop the caller like a block, without saying so.
    limitFactorPermille: permille(r, s, `${at}.limitFactor`, d.limitFactorPermille, 0.001, 0.999, true),
  };
}

function volume(r: ConfigReader, raw: unknown): VolumeRuleConfig {
  const at = "rules.volume";
  const s = r.section(raw, at, [...COMMON_KEYS, "factor", "minRequests", "baselineWindows"]);
  const d = RULE_DEFAULTS.volume;
  return {
    ...common(r, s, at, d),
    factorPermille: permille(r, s, `${at}.factor`, d.factorPermille, 1, 100),
    minRequests: r.integer(s, `${at}.minRequests`, d.minRequests, 1, 10_000_000),
    baselineWindows: r.integer(s, `${at}.baselineWindows`, d.baselineWindows, 2, 10_000),
  };
}

function probing(r: ConfigReader, raw: unknown): ProbingRuleConfig {
  const at = "rules.probing";
  const s = r.section(raw, at, [...COMMON_KEYS, "share", "minRequests", "denialStatuses", "errorStatuses"]);
  const d = RULE_DEFAULTS.probing;
  const denials = statusList(r, s, `${at}.denialStatuses`, d.denialStatuses.map((code) => ({ kind: "exact", code })));
  if (denials.some((p) => p.kind !== "exact")) r.issue(`${at}.denialStatuses`, "must list exact statuses (a denial is 400, 401, 403, 429 or 503)");
  return {
    ...common(r, s, at, d),
    sharePermille: permille(r, s, `${at}.share`, d.sharePermille, 0, 1),
    minRequests: r.integer(s, `${at}.minRequests`, d.minRequests, 1, 10_000_000),
    denialStatuses: denials.flatMap((p) => (p.kind === "exact" ? [p.code] : [])),
    errorStatuses: statusList(r, s, `${at}.errorStatuses`, d.errorStatuses),
  };
}

function reconnaissance(r: ConfigReader, raw: unknown): ReconnaissanceRuleConfig {
  const at = "rules.reconnaissance";
  const s = r.section(raw, at, [...COMMON_KEYS, "models"]);
  const d = RULE_DEFAULTS.reconnaissance;
  return { ...common(r, s, at, d), models: r.integer(s, `${at}.models`, d.models, 2, 10_000) };
}

function sharing(r: ConfigReader, raw: unknown): SharingRuleConfig {
  const at = "rules.sharing";
  const s = r.section(raw, at, [...COMMON_KEYS, "sources"]);
  const d = RULE_DEFAULTS.sharing;
  return { ...common(r, s, at, d), sources: r.integer(s, `${at}.sources`, d.sources, 2, 10_000) };
}

export function parseRules(r: ConfigReader, raw: unknown): RulesConfig {
  const s = r.section(raw, "rules", ANOMALY_RULES);
  return { volume: volume(r, s["volume"]), probing: probing(r, s["probing"]), reconnaissance: reconnaissance(r, s["reconnaissance"]), sharing: sharing(r, s["sharing"]) };
}
