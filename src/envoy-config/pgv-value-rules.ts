import type { Enum } from "protobufjs";
import { enumNumberOf } from "./proto-json-scalars.ts";
import { formatNanos, nanosOfDurationObject, parseDurationNanos } from "./proto-time.ts";

// protoc-gen-validate rules on one (already type-checked) value. Envoy runs these validators
// when it loads a config, so a value the schema allows can still be rejected here. Only the
// rule kinds the Envoy protos use are implemented; other rule keys are ignored.

export type RuleSet = Readonly<Record<string, unknown>>;

const NUMERIC_KINDS = [
  "double",
  "float",
  "int32",
  "int64",
  "uint32",
  "uint64",
  "sint32",
  "sint64",
  "fixed32",
  "fixed64",
  "sfixed32",
  "sfixed64",
];

const HEADER_REGEX: Readonly<Record<string, RegExp>> = {
  HTTP_HEADER_NAME: /^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$/,
  HTTP_HEADER_VALUE: /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/,
};
const LENIENT_HEADER = /^[^\u0000\u000A\u000D]*$/;
const patternCache = new Map<string, RegExp | null>();

function compiled(pattern: string): RegExp | null {
  if (!patternCache.has(pattern)) {
    try {
      patternCache.set(pattern, new RegExp(pattern, "u"));
    } catch {
      patternCache.set(pattern, null); // RE2-only syntax: not checkable here
    }
  }
  return patternCache.get(pattern) ?? null;
}

function asRules(value: unknown): RuleSet {
  return typeof value === "object" && value !== null ? (value as RuleSet) : {};
}

// PGV bounds: gt/gte and lt/lte together form a range; when the lower bound exceeds the upper
// one the range is exclusive (the value must lie outside it).
function boundProblem<T extends number | bigint>(
  value: T,
  r: RuleSet,
  bound: (x: unknown) => T,
  show: (x: T) => string,
): string | undefined {
  const low =
    r["gt"] !== undefined
      ? { v: bound(r["gt"]), strict: true }
      : r["gte"] !== undefined
        ? { v: bound(r["gte"]), strict: false }
        : undefined;
  const high =
    r["lt"] !== undefined
      ? { v: bound(r["lt"]), strict: true }
      : r["lte"] !== undefined
        ? { v: bound(r["lte"]), strict: false }
        : undefined;
  const lowOk = low === undefined || (low.strict ? value > low.v : value >= low.v);
  const highOk = high === undefined || (high.strict ? value < high.v : value <= high.v);
  const outside = low !== undefined && high !== undefined && low.v > high.v;
  if (outside ? lowOk || highOk : lowOk && highOk) return undefined;
  const parts = [low && `${low.strict ? ">" : "≥"} ${show(low.v)}`, high && `${high.strict ? "<" : "≤"} ${show(high.v)}`].filter(Boolean);
  return `must be ${parts.join(outside ? " or " : " and ")}`;
}

function membership(value: unknown, r: RuleSet, show: (x: unknown) => string = (x) => JSON.stringify(x)): string | undefined {
  if (r["const"] !== undefined && r["const"] !== value) return `must be ${show(r["const"])}`;
  const inList = r["in"];
  if (Array.isArray(inList) && inList.length > 0 && !inList.includes(value)) return `must be one of ${inList.map(show).join(", ")}`;
  const notIn = r["not_in"];
  if (Array.isArray(notIn) ? notIn.includes(value) : notIn !== undefined && notIn === value) return `must not be ${show(value)}`;
  return undefined;
}

function stringProblem(value: string, r: RuleSet): string | undefined {
  if (r["ignore_empty"] === true && value === "") return undefined;
  const chars = [...value].length;
  const bytes = Buffer.byteLength(value, "utf8");
  if (typeof r["len"] === "number" && chars !== r["len"]) return `must be exactly ${r["len"]} characters`;
  if (typeof r["min_len"] === "number" && chars < r["min_len"])
    return r["min_len"] === 1 ? "must not be empty" : `must be at least ${r["min_len"]} characters`;
  if (typeof r["max_len"] === "number" && chars > r["max_len"]) return `must be at most ${r["max_len"]} characters`;
  if (typeof r["min_bytes"] === "number" && bytes < r["min_bytes"]) return `must be at least ${r["min_bytes"]} bytes`;
  if (typeof r["max_bytes"] === "number" && bytes > r["max_bytes"]) return `must be at most ${r["max_bytes"]} bytes`;
  if (typeof r["prefix"] === "string" && !value.startsWith(r["prefix"])) return `must start with ${JSON.stringify(r["prefix"])}`;
  if (typeof r["suffix"] === "string" && !value.endsWith(r["suffix"])) return `must end with ${JSON.stringify(r["suffix"])}`;
  if (typeof r["contains"] === "string" && !value.includes(r["contains"])) return `must contain ${JSON.stringify(r["contains"])}`;
  const regex = typeof r["pattern"] === "string" ? compiled(r["pattern"]) : null;
  if (regex !== null && !regex.test(value)) return `must match ${String(r["pattern"])}`;
  const known = typeof r["well_known_regex"] === "string" ? HEADER_REGEX[r["well_known_regex"]] : undefined;
  if (known !== undefined && !(r["strict"] === false ? LENIENT_HEADER : known).test(value))
    return `is not a valid ${String(r["well_known_regex"])}`;
  return membership(value, r);
}

function enumProblem(value: unknown, r: RuleSet, enumType: Enum | undefined): string | undefined {
  const number = enumType === undefined ? undefined : enumNumberOf(enumType, value);
  if (number === undefined || enumType === undefined) return undefined;
  if (r["defined_only"] === true && enumType.valuesById[number] === undefined) return `${number} is not a defined ${enumType.name} value`;
  return membership(number, r, (n) => `${enumType.valuesById[Number(n)] ?? String(n)}`);
}

function durationProblem(value: unknown, r: RuleSet): string | undefined {
  const parsed = parseDurationNanos(value);
  if (!parsed.ok) return undefined; // reported by the schema walk
  if (r["const"] !== undefined && parsed.value !== nanosOfDurationObject(r["const"]))
    return `must be ${formatNanos(nanosOfDurationObject(r["const"]))}`;
  return boundProblem(parsed.value, r, nanosOfDurationObject, formatNanos);
}

function bytesProblem(value: unknown, r: RuleSet): string | undefined {
  const length = typeof value === "string" ? Buffer.from(value, "base64").length : 0;
  if (typeof r["min_len"] === "number" && length < r["min_len"]) return `must be at least ${r["min_len"]} bytes`;
  if (typeof r["max_len"] === "number" && length > r["max_len"]) return `must be at most ${r["max_len"]} bytes`;
  return undefined;
}

// `rules` is the per-value part of a field's rules, e.g. {string: {min_len: 1}} or {uint32: {lte: 65535}}.
export function valueRuleProblem(rules: RuleSet, value: unknown, enumType: Enum | undefined): string | undefined {
  if (rules["string"] !== undefined && typeof value === "string") return stringProblem(value, asRules(rules["string"]));
  if (rules["bytes"] !== undefined) return bytesProblem(value, asRules(rules["bytes"]));
  if (rules["bool"] !== undefined) return membership(value, asRules(rules["bool"]));
  if (rules["enum"] !== undefined) return enumProblem(value, asRules(rules["enum"]), enumType);
  if (rules["duration"] !== undefined) return durationProblem(value, asRules(rules["duration"]));
  const kind = NUMERIC_KINDS.find((k) => rules[k] !== undefined);
  if (kind === undefined) return undefined;
  const r = asRules(rules[kind]);
  return membership(Number(value), r, (x) => String(x)) ?? boundProblem(Number(value), r, Number, String);
}
