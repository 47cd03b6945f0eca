import { ANOMALY_ACTIONS, ANOMALY_RULES, type AnomalyResponses } from "../anomaly/rules.ts";
import { describe, readObject, rejectUnknownKeys, fieldPath, type Issues } from "./fields.ts";

// `spec.anomaly`: the response this policy chooses when an anomaly rule fires on a decision it
// made, per rule, over the rule's configured default:
//
//   anomaly: { volume: block, probing: lower-limits }
//
// Rules left out keep the configured response; period and factor always come from the rule.

export const NO_RESPONSES: AnomalyResponses = Object.freeze({});

export function parseAnomalyResponses(value: unknown, path: string, issues: Issues): AnomalyResponses | undefined {
  const obj = readObject(value, path, issues);
  if (obj === undefined) return undefined;
  const before = issues.length;
  rejectUnknownKeys(obj, ANOMALY_RULES, path, issues);
  const chosen: Partial<Record<(typeof ANOMALY_RULES)[number], (typeof ANOMALY_ACTIONS)[number]>> = {};
  for (const rule of ANOMALY_RULES) {
    const action = obj[rule];
    if (action === undefined) continue;
    const known = ANOMALY_ACTIONS.find((a) => a === action);
    if (known === undefined) issues.push({ path: fieldPath(path, rule), message: `expected one of ${ANOMALY_ACTIONS.join(", ")}, got ${describe(action)}` });
    else chosen[rule] = known;
  }
  return issues.length > before ? undefined : Object.freeze(chosen);
}
