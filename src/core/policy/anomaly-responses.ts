import { ANOMALY_ACTIONS, ANOMALY_RULES, type AnomalyAction, type AnomalyResponses, type AnomalyRule } from "../anomaly/rules.ts";
import { closestAllowed, describe, fieldPath, own, readObject, type Issues, type PlainObject } from "../parse/fields.ts";

// `spec.anomaly`: the response this policy chooses when an anomaly rule fires on a decision it
// made, per rule, over the rule's configured default:
//
//   anomaly: { volume: block, probing: lower-limits }
//
// Rules left out keep the configured response; period and factor always come from the rule.
// The messages name what is wrong (a rule or a response), because a misspelled rule would
// otherwise silently keep the default response.

export const NO_RESPONSES: AnomalyResponses = Object.freeze({});

export function parseAnomalyResponses(value: unknown, path: string, issues: Issues): AnomalyResponses | undefined {
  const obj = readObject(value, path, issues);
  if (obj === undefined) return undefined;
  const before = issues.length;
  rejectUnknownRules(obj, path, issues);
  const chosen: Partial<Record<AnomalyRule, AnomalyAction>> = {};
  for (const rule of ANOMALY_RULES) {
    const raw = own(obj, rule);
    if (raw === undefined) continue;
    const action = readAction(raw, fieldPath(path, rule), issues);
    if (action !== undefined) chosen[rule] = action;
  }
  return issues.length > before ? undefined : Object.freeze(chosen);
}

function rejectUnknownRules(obj: PlainObject, path: string, issues: Issues): void {
  for (const key of Object.keys(obj)) {
    if (ANOMALY_RULES.some((rule) => rule === key)) continue;
    const hint = closestAllowed(key, ANOMALY_RULES);
    const suggestion = hint === undefined ? `the rules are ${ANOMALY_RULES.join(", ")}` : `did you mean "${hint}"?`;
    issues.push({ path: fieldPath(path, key), message: `unknown anomaly rule "${key.slice(0, 80)}"; ${suggestion}` });
  }
}

function readAction(value: unknown, path: string, issues: Issues): AnomalyAction | undefined {
  const action = ANOMALY_ACTIONS.find((a) => a === value);
  if (action !== undefined) return action;
  const expected = `expected one of ${ANOMALY_ACTIONS.join(", ")}`;
  if (typeof value !== "string") {
    issues.push({ path, message: `${expected}, got ${describe(value)}` });
    return undefined;
  }
  const hint = closestAllowed(value, ANOMALY_ACTIONS);
  issues.push({ path, message: `unknown response "${value.slice(0, 80)}"; ${hint === undefined ? expected : `did you mean "${hint}"?`}` });
  return undefined;
}
