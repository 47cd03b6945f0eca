import protobuf from "protobufjs";
import type { Enum, Field, Type } from "protobufjs";
import type { Issue } from "../core/result.ts";
import { childPath, isJsonObject } from "./json-path.ts";
import { indexPath } from "../core/parse/fields.ts";
import type { RuleSet } from "./pgv-value-rules.ts";
import { valueRuleProblem } from "./pgv-value-rules.ts";

// Message-level protoc-gen-validate rules: required fields and oneofs, list and map rules, and
// the rules on scalar fields left at their default (PGV checks proto3 scalars whether or not
// they were written, so an absent `name` with `min_len: 1` is rejected by Envoy too).

export interface PresentField {
  readonly key: string; // as written in the config
  readonly value: unknown;
  readonly valid: boolean; // passed the schema checks, so rules can read it safely
}

const REQUIRED_KINDS = ["message", "any", "duration", "timestamp"];
const rulesCache = new WeakMap<Field, RuleSet | null>();

function deepMerge(a: RuleSet, b: RuleSet): RuleSet {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isJsonObject(out[k]) && isJsonObject(v) ? deepMerge(out[k], v) : v;
  return out;
}

export function validateRulesOf(field: Field): RuleSet | undefined {
  if (!rulesCache.has(field)) {
    const entries = (field.parsedOptions ?? []) as unknown as readonly Record<string, unknown>[];
    const found = entries.map((e) => e["(validate.rules)"]).filter(isJsonObject);
    rulesCache.set(field, found.length === 0 ? null : found.reduce<RuleSet>(deepMerge, {}));
  }
  return rulesCache.get(field) ?? undefined;
}

function enumOf(field: Field): Enum | undefined {
  return field.resolvedType instanceof protobuf.Enum ? field.resolvedType : undefined;
}

function listIssues(field: Field, rules: RuleSet, list: readonly unknown[], path: string): Issue[] {
  const r = (rules["repeated"] ?? {}) as RuleSet;
  const issues: Issue[] = [];
  if (typeof r["min_items"] === "number" && list.length < r["min_items"])
    issues.push({ path, message: `needs at least ${r["min_items"]} item(s)` });
  if (typeof r["max_items"] === "number" && list.length > r["max_items"])
    issues.push({ path, message: `allows at most ${r["max_items"]} item(s)` });
  if (r["unique"] === true && new Set(list.map((v) => JSON.stringify(v))).size !== list.length)
    issues.push({ path, message: "items must be unique" });
  const items = isJsonObject(r["items"]) ? r["items"] : undefined;
  list.forEach((item, i) => {
    const problem = items === undefined ? undefined : valueRuleProblem(items, item, enumOf(field));
    if (problem !== undefined) issues.push({ path: indexPath(path, i), message: problem });
  });
  return issues;
}

function mapIssues(field: Field, rules: RuleSet, map: Readonly<Record<string, unknown>>, path: string): Issue[] {
  const r = (rules["map"] ?? {}) as RuleSet;
  const entries = Object.entries(map);
  const issues: Issue[] = [];
  if (typeof r["min_pairs"] === "number" && entries.length < r["min_pairs"])
    issues.push({ path, message: `needs at least ${r["min_pairs"]} entr(ies)` });
  if (typeof r["max_pairs"] === "number" && entries.length > r["max_pairs"])
    issues.push({ path, message: `allows at most ${r["max_pairs"]} entr(ies)` });
  for (const [key, value] of entries) {
    const keyProblem = isJsonObject(r["keys"]) ? valueRuleProblem(r["keys"], key, undefined) : undefined;
    if (keyProblem !== undefined) issues.push({ path: childPath(path, key), message: `key ${keyProblem}` });
    const valueProblem = isJsonObject(r["values"]) ? valueRuleProblem(r["values"], value, enumOf(field)) : undefined;
    if (valueProblem !== undefined) issues.push({ path: childPath(path, key), message: valueProblem });
  }
  return issues;
}

function fieldIssues(field: Field, rules: RuleSet, value: unknown, path: string): Issue[] {
  if (field.map) return isJsonObject(value) ? mapIssues(field, rules, value, path) : [];
  if (field.repeated) return Array.isArray(value) ? listIssues(field, rules, value, path) : [];
  const problem = valueRuleProblem(rules, value, enumOf(field));
  return problem === undefined ? [] : [{ path, message: problem }];
}

// The value an unset field reads as, or undefined when the field has presence (messages,
// wrappers), whose rules then do not apply.
function implicitDefault(field: Field): unknown {
  if (field.map) return {};
  if (field.repeated) return [];
  if (field.resolvedType instanceof protobuf.Type) return undefined;
  if (field.resolvedType instanceof protobuf.Enum) return 0;
  if (field.type === "string" || field.type === "bytes") return "";
  return field.type === "bool" ? false : 0;
}

function absentFieldIssues(field: Field, rules: RuleSet, path: string): Issue[] {
  // A oneof member's rules apply only when it is the member chosen.
  if (field.partOf !== null) return [];
  const required = REQUIRED_KINDS.some((k) => isJsonObject(rules[k]) && rules[k]["required"] === true);
  if (required) return [{ path, message: `${field.name} is required` }];
  const fallback = implicitDefault(field);
  return fallback === undefined ? [] : fieldIssues(field, rules, fallback, path);
}

export function messageRuleIssues(type: Type, present: ReadonlyMap<Field, PresentField>, path: string): Issue[] {
  const issues: Issue[] = [];
  for (const oneof of type.oneofsArray) {
    if (oneof.options?.["(validate.required)"] !== true || oneof.fieldsArray.some((f) => present.has(f))) continue;
    issues.push({ path, message: `one of ${oneof.fieldsArray.map((f) => f.name).join(", ")} is required (oneof ${oneof.name})` });
  }
  for (const field of type.fieldsArray) {
    const rules = validateRulesOf(field);
    if (rules === undefined) continue;
    const entry = present.get(field);
    const fieldPath = childPath(path, entry?.key ?? field.name);
    if (entry === undefined) issues.push(...absentFieldIssues(field, rules, fieldPath));
    else if (entry.valid) issues.push(...fieldIssues(field, rules, entry.value, fieldPath));
  }
  return issues;
}
