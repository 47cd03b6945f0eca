// The AccessPolicy document (modelgate.io/v1alpha1). parseAccessPolicy takes whatever a YAML
// file or the Kubernetes API produced, as `unknown`, and returns a freshly built, frozen value or
// every problem found, each with its path (e.g. `spec.rules[1].limits[0].per`). It never throws.
import type { CelEnv } from "@bufbuild/cel";
import type { Issue, Result } from "../result.ts";
import { err, ok } from "../result.ts";
import { createCelEnv } from "./cel.ts";
import type { Issues } from "../parse/fields.ts";
import {
  describe,
  fieldPath,
  integerParser,
  isPlainObject,
  optionalField,
  own,
  readList,
  readMapping,
  readObject,
  readString,
  rejectDuplicateNames,
  rejectUnknownKeys,
  requiredField,
} from "../parse/fields.ts";
import type { AnomalyResponses } from "../anomaly/rules.ts";
import { NO_RESPONSES, parseAnomalyResponses } from "./anomaly-responses.ts";
import { parseLimits, parsePenaltyBox } from "./limit.ts";
import { MAX_ITEMS } from "./list-limits.ts";
import type { PolicyMetadata } from "./metadata.ts";
import { parseMetadata } from "./metadata.ts";
import { modelGlobProblem } from "./model-glob.ts";
import type { RouteSpec } from "./route.ts";
import { parseRoute } from "./route.ts";
import type { RuleSpec } from "./rule.ts";
import { parseRule } from "./rule.ts";
import type { FailureMode, LimitSpec, PenaltyBoxSpec } from "./types.ts";

export const API_VERSION = "modelgate.io/v1alpha1";
export const KIND = "AccessPolicy";

// Kept importable from here, where it was first declared.
export type { FailureMode } from "./types.ts";

export interface AccessPolicySpec {
  readonly models: readonly string[];
  readonly priority: number;
  readonly routes: readonly RouteSpec[];
  readonly rules: readonly RuleSpec[];
  readonly limits: readonly LimitSpec[];
  readonly failureMode: FailureMode;
  readonly penaltyBox: PenaltyBoxSpec | undefined;
  readonly anomaly: AnomalyResponses;
}

export interface AccessPolicy {
  readonly apiVersion: typeof API_VERSION;
  readonly kind: typeof KIND;
  readonly metadata: PolicyMetadata;
  readonly spec: AccessPolicySpec;
}

const TOP_KEYS = ["apiVersion", "kind", "metadata", "spec", "status"] as const;
const SPEC_KEYS = ["models", "priority", "routes", "rules", "limits", "failureMode", "penaltyBox", "anomaly"] as const;
const PRIORITY_RANGE = 1_000_000;

export function parseAccessPolicy(doc: unknown): Result<AccessPolicy, readonly Issue[]> {
  const issues: Issues = [];
  const obj = readMapping(doc, TOP_KEYS, "", issues);
  if (obj === undefined) return err(issues);
  requiredField(obj, "apiVersion", "", issues, exactly(API_VERSION));
  requiredField(obj, "kind", "", issues, exactly(KIND));
  const metadata = requiredField(obj, "metadata", "", issues, parseMetadata);
  const spec = requiredField(obj, "spec", "", issues, parseSpec);
  if (issues.length > 0 || metadata === undefined || spec === undefined) return err(issues);
  return ok(Object.freeze({ apiVersion: API_VERSION, kind: KIND, metadata, spec }));
}

function exactly(expected: string): (value: unknown, path: string, issues: Issues) => string | undefined {
  return (value, path, issues) => {
    if (value === expected) return expected;
    issues.push({ path, message: `expected ${JSON.stringify(expected)}, got ${describe(value)}` });
    return undefined;
  };
}

function parseSpec(value: unknown, path: string, issues: Issues): AccessPolicySpec | undefined {
  const obj = readObject(value, path, issues);
  if (obj === undefined) return undefined;
  const before = issues.length;
  rejectUnknownKeys(obj, SPEC_KEYS, path, issues);
  const models = requiredField(obj, "models", path, issues, parseModels);
  const priority = optionalField(obj, "priority", path, issues, integerParser(-PRIORITY_RANGE, PRIORITY_RANGE)) ?? 0;
  const routes = optionalField(obj, "routes", path, issues, (v, p, i) =>
    readList(v, 0, p, i, (r, rp) => parseRoute(r, rp, i), MAX_ITEMS.routes),
  );
  const rules = requiredField(obj, "rules", path, issues, parseRules);
  const limits = parseLimits(own(obj, "limits"), fieldPath(path, "limits"), issues);
  const failureMode = optionalField(obj, "failureMode", path, issues, parseFailureMode) ?? "open";
  const penaltyBox = optionalField(obj, "penaltyBox", path, issues, parsePenaltyBox);
  const anomaly = optionalField(obj, "anomaly", path, issues, parseAnomalyResponses) ?? NO_RESPONSES;
  if (issues.length > before || models === undefined || rules === undefined || limits === undefined) return undefined;
  return Object.freeze({ models, priority, routes: routes ?? Object.freeze([]), rules, limits, failureMode, penaltyBox, anomaly });
}

function parseModels(value: unknown, path: string, issues: Issues): readonly string[] | undefined {
  return readList(
    value,
    1,
    path,
    issues,
    (item, itemPath) => {
      const glob = readString(item, itemPath, issues);
      if (glob === undefined) return undefined;
      const problem = modelGlobProblem(glob);
      if (problem === undefined) return glob;
      issues.push({ path: itemPath, message: `model glob ${JSON.stringify(glob.slice(0, 80))}: ${problem}` });
      return undefined;
    },
    MAX_ITEMS.models,
  );
}

function parseRules(value: unknown, path: string, issues: Issues): readonly RuleSpec[] | undefined {
  let env: CelEnv | undefined;
  const lazyEnv = (): CelEnv => (env ??= createCelEnv());
  const rules = readList(value, 1, path, issues, (item, itemPath) => parseRule(item, itemPath, issues, lazyEnv), MAX_ITEMS.rules);
  if (Array.isArray(value)) {
    const names = value.map((item: unknown) => (isPlainObject(item) && typeof item["name"] === "string" ? item["name"] : undefined));
    rejectDuplicateNames(names, path, "rule", issues);
  }
  return rules;
}

function parseFailureMode(value: unknown, path: string, issues: Issues): FailureMode | undefined {
  if (value === "open" || value === "closed") return value;
  issues.push({ path, message: `expected open or closed, got ${describe(value)}` });
  return undefined;
}
