// Validates `limits` entries of a rule or of a whole policy into the LimitSpec contract, and a
// policy's `penaltyBox`.
import type { LimitKey, LimitSpec, PenaltyBoxSpec } from "./types.ts";
import { MAX_PERIOD_MS, parseDuration } from "./duration.ts";
import type { Issues } from "../parse/fields.ts";
import {
  fieldPath,
  integerParser,
  isPlainObject,
  optionalField,
  own,
  patternParser,
  readBoolean,
  readList,
  readMapping,
  readObject,
  readString,
  rejectDuplicateNames,
  rejectUnknownKeys,
  requiredField,
} from "../parse/fields.ts";
import { ATTRIBUTE_NAME, ATTRIBUTE_NAME_TEXT, RULE_NAME, RULE_NAME_TEXT } from "./names.ts";
import { MAX_ITEMS } from "./list-limits.ts";

const LIMIT_KEYS = ["name", "requests", "per", "burst", "by", "shadow"] as const;
const MAX_COUNT = 1_000_000_000;
const BY_TEXT = "expected identity, identity+model, source or attribute:<name>";

export function parseLimits(value: unknown, path: string, issues: Issues): readonly LimitSpec[] | undefined {
  if (value === undefined) return Object.freeze([]);
  const limits = readList(value, 0, path, issues, (item, itemPath) => parseLimit(item, itemPath, issues), MAX_ITEMS.limits);
  if (Array.isArray(value)) {
    const names = value.map((item: unknown) => (isPlainObject(item) ? stringOrUndefined(own(item, "name")) : undefined));
    rejectDuplicateNames(names, path, "limit", issues);
  }
  return limits;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function parseLimit(value: unknown, path: string, issues: Issues): LimitSpec | undefined {
  const obj = readMapping(value, LIMIT_KEYS, path, issues);
  if (obj === undefined) return undefined;
  const name = requiredField(obj, "name", path, issues, patternParser(RULE_NAME, RULE_NAME_TEXT));
  const requests = requiredField(obj, "requests", path, issues, integerParser(1, MAX_COUNT));
  const periodMs = requiredField(obj, "per", path, issues, parsePeriod);
  const burst = own(obj, "burst") === undefined ? requests : optionalField(obj, "burst", path, issues, integerParser(1, MAX_COUNT));
  const by = own(obj, "by") === undefined ? IDENTITY : optionalField(obj, "by", path, issues, parseLimitKey);
  const shadow = optionalField(obj, "shadow", path, issues, readBoolean) ?? false;
  if (name === undefined || requests === undefined || periodMs === undefined || burst === undefined || by === undefined) {
    return undefined;
  }
  if (!refillsInTime(requests, periodMs, burst, fieldPath(path, "burst"), issues)) return undefined;
  // `shadow` is only spelled out when set, so an enforced limit reads exactly as before.
  return Object.freeze(shadow ? { name, requests, periodMs, burst, by, shadow } : { name, requests, periodMs, burst, by });
}

// GCRA keeps a key for up to burst × per / requests; past 30 days that is an almost immortal
// key and beyond what the limiter's exact integer arithmetic is checked for.
function refillsInTime(requests: number, periodMs: number, burst: number, path: string, issues: Issues): boolean {
  if ((burst * periodMs) / requests <= MAX_PERIOD_MS) return true;
  issues.push({ path, message: `a burst of ${burst} at ${requests} per ${periodMs} ms takes longer than 30d to refill; lower it` });
  return false;
}

const PENALTY_KEYS = ["violations", "within", "block", "maxBlock"] as const;
const PENALTY_DEFAULTS: PenaltyBoxSpec = Object.freeze({ violations: 10, withinMs: 60_000, blockMs: 60_000, maxBlockMs: 3_600_000 });

// `penaltyBox: {violations, within, block, maxBlock}`; every field has a default, so `{}` turns
// it on. maxBlock defaults to 1h, or to `block` when that is longer.
export function parsePenaltyBox(value: unknown, path: string, issues: Issues): PenaltyBoxSpec | undefined {
  const obj = readObject(value, path, issues);
  if (obj === undefined) return undefined;
  const before = issues.length;
  rejectUnknownKeys(obj, PENALTY_KEYS, path, issues);
  const violations = optionalField(obj, "violations", path, issues, integerParser(1, 1_000_000)) ?? PENALTY_DEFAULTS.violations;
  const withinMs = optionalField(obj, "within", path, issues, parsePeriod) ?? PENALTY_DEFAULTS.withinMs;
  const blockMs = optionalField(obj, "block", path, issues, parsePeriod) ?? PENALTY_DEFAULTS.blockMs;
  const maxBlockMs = optionalField(obj, "maxBlock", path, issues, parsePeriod) ?? Math.max(PENALTY_DEFAULTS.maxBlockMs, blockMs);
  if (issues.length > before) return undefined;
  if (maxBlockMs < blockMs) {
    issues.push({ path: fieldPath(path, "maxBlock"), message: "must be at least as long as block" });
    return undefined;
  }
  return Object.freeze({ violations, withinMs, blockMs, maxBlockMs });
}

const IDENTITY: LimitKey = Object.freeze({ kind: "identity" });

function parsePeriod(value: unknown, path: string, issues: Issues): number | undefined {
  if (typeof value === "number") {
    issues.push({ path, message: `expected a duration string such as "1s" or "1m", got the number ${value}` });
    return undefined;
  }
  const text = readString(value, path, issues);
  if (text === undefined) return undefined;
  const period = parseDuration(text);
  if (period.ok) return period.value;
  issues.push({ path, message: `${JSON.stringify(text.slice(0, 40))}: ${period.error}` });
  return undefined;
}

function parseLimitKey(value: unknown, path: string, issues: Issues): LimitKey | undefined {
  const text = readString(value, path, issues);
  if (text === undefined) return undefined;
  if (text === "identity") return IDENTITY;
  if (text === "identity+model") return Object.freeze({ kind: "identity-model" });
  if (text === "source") return Object.freeze({ kind: "source" });
  if (text.startsWith("attribute:")) {
    const name = text.slice("attribute:".length);
    if (ATTRIBUTE_NAME.test(name)) return Object.freeze({ kind: "attribute", name });
    issues.push({ path, message: `attribute name ${JSON.stringify(name)} is invalid: ${ATTRIBUTE_NAME_TEXT}` });
    return undefined;
  }
  issues.push({ path, message: `${JSON.stringify(text.slice(0, 40))} is not a limit key; ${BY_TEXT}` });
  return undefined;
}
