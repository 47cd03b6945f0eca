// `rules[]`: one Allow or Deny statement about subjects, actions and an optional CEL condition.
import type { CelEnv } from "@bufbuild/cel";
import type { Effect } from "./action-set.ts";
import { WILDCARD_ACTION } from "./action-set.ts";
import { whenProblem } from "./cel.ts";
import type { Issues } from "../parse/fields.ts";
import {
  describe,
  fieldPath,
  optionalField,
  own,
  readList,
  readObject,
  readPattern,
  readString,
  rejectUnknownKeys,
  requiredField,
  patternParser,
} from "../parse/fields.ts";
import { parseLimits } from "./limit.ts";
import { ACTION_NAME, ACTION_NAME_TEXT, RULE_NAME, RULE_NAME_TEXT } from "./names.ts";
import type { SubjectMatcher } from "./subject.ts";
import { parseSubject } from "./subject.ts";
import type { LimitSpec } from "./types.ts";
import { MAX_ITEMS } from "./list-limits.ts";

export interface RuleSpec {
  readonly name: string;
  readonly effect: Effect;
  readonly subjects: readonly SubjectMatcher[];
  readonly actions: readonly string[];
  readonly when: string | undefined;
  readonly limits: readonly LimitSpec[];
}

const RULE_KEYS = ["name", "effect", "subjects", "actions", "when", "limits"] as const;
const EFFECTS: readonly Effect[] = ["Allow", "Deny"];
const ACTION = new RegExp(`${ACTION_NAME.source}|^\\${WILDCARD_ACTION}$`);

// `env` is created lazily by the caller: most policies have no `when` at all.
export function parseRule(value: unknown, path: string, issues: Issues, env: () => CelEnv): RuleSpec | undefined {
  const obj = readObject(value, path, issues);
  if (obj === undefined) return undefined;
  const before = issues.length;
  rejectUnknownKeys(obj, RULE_KEYS, path, issues);
  const name = requiredField(obj, "name", path, issues, patternParser(RULE_NAME, RULE_NAME_TEXT));
  const effect = requiredField(obj, "effect", path, issues, parseEffect);
  const subjects = requiredField(obj, "subjects", path, issues, (v, p, i) =>
    readList(v, 1, p, i, (s, sp) => parseSubject(s, sp, i), MAX_ITEMS.subjects),
  );
  const actions = requiredField(obj, "actions", path, issues, parseActions);
  const when = optionalField(obj, "when", path, issues, (v, p, i) => parseWhen(v, p, i, env));
  const limits = parseLimits(own(obj, "limits"), fieldPath(path, "limits"), issues);
  if (effect === "Deny" && limits !== undefined && limits.length > 0) {
    issues.push({ path: fieldPath(path, "limits"), message: "limits apply to requests a rule allows; a Deny rule cannot have limits" });
  }
  if (issues.length > before || name === undefined || effect === undefined || subjects === undefined) return undefined;
  if (actions === undefined || limits === undefined) return undefined;
  return Object.freeze({ name, effect, subjects, actions, when, limits });
}

function parseEffect(value: unknown, path: string, issues: Issues): Effect | undefined {
  const effect = EFFECTS.find((e) => e === value);
  if (effect !== undefined) return effect;
  const hint = typeof value === "string" && EFFECTS.some((e) => e.toLowerCase() === value.toLowerCase()) ? " (case matters)" : "";
  issues.push({ path, message: `expected Allow or Deny, got ${describe(value)}${hint}` });
  return undefined;
}

function parseActions(value: unknown, path: string, issues: Issues): readonly string[] | undefined {
  const text = `${ACTION_NAME_TEXT}, or "*" for every action except admin and unknown`;
  return readList(value, 1, path, issues, (a, ap) => readPattern(a, ACTION, text, ap, issues), MAX_ITEMS.actions);
}

function parseWhen(value: unknown, path: string, issues: Issues, env: () => CelEnv): string | undefined {
  const source = readString(value, path, issues);
  if (source === undefined) return undefined;
  const problem = whenProblem(env(), source);
  if (problem === undefined) return source;
  issues.push({ path, message: problem });
  return undefined;
}
