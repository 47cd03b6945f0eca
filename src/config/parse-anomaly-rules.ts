import type { ConfigReader } from "../core/parse/config-reader.ts";
import { ANOMALY_ACTIONS, ANOMALY_RULES } from "../core/anomaly/rules.ts";
import {
  RULE_DEFAULTS,
  type ProbingRuleConfig,
  type ReconnaissanceRuleConfig,
  type RuleCommon,
  type RulesConfig,
  type SharingRuleConfig,
  type VolumeRuleConfig,
} from "../core/anomaly/anomaly-rules-config.ts";
import { durationMs, permille, statusList } from "./anomaly-values.ts";

// `anomaly.rules` in the configuration file: each rule's settings over RULE_DEFAULTS.

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
  const denials = statusList(
    r,
    s,
    `${at}.denialStatuses`,
    d.denialStatuses.map((code) => ({ kind: "exact", code })),
  );
  if (denials.some((p) => p.kind !== "exact"))
    r.issue(`${at}.denialStatuses`, "must list exact statuses (a denial is 400, 401, 403, 429 or 503)");
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
  return {
    volume: volume(r, s["volume"]),
    probing: probing(r, s["probing"]),
    reconnaissance: reconnaissance(r, s["reconnaissance"]),
    sharing: sharing(r, s["sharing"]),
  };
}
