import { parseAnomalyConfig, resolveAnomalyConfig, type AnomalyConfig } from "../core/anomaly/anomaly-config.ts";
import type { Issue } from "../core/result.ts";

// `anomaly:` in the configuration file (see README "Anomaly detection").
//
// This version raises alerts only: the `block` and `lower-limits` responses need the limiter to
// accept blocks and lowered limits from outside a policy's own penalty box, which it cannot yet,
// so configuring them is refused rather than silently treated as `alert`.

function unsupportedResponses(config: AnomalyConfig): Issue[] {
  const issues: Issue[] = [];
  for (const [rule, settings] of Object.entries(config.rules)) {
    if (settings.response !== "alert") issues.push({ path: `anomaly.rules.${rule}.response`, message: `"${settings.response}" is not available yet; use "alert"` });
  }
  for (const [policy, responses] of config.policies) {
    for (const [rule, response] of Object.entries(responses)) {
      if (response !== "alert") issues.push({ path: `anomaly.policies.${policy}.${rule}`, message: `"${response}" is not available yet; use "alert"` });
    }
  }
  return issues;
}

export function parseAnomalySection(value: unknown, env: Readonly<Record<string, string | undefined>>): { config: AnomalyConfig | undefined; issues: Issue[] } {
  if (value === undefined) return { config: undefined, issues: [] };
  const parsed = parseAnomalyConfig(value, "anomaly");
  if (!parsed.ok) return { config: undefined, issues: parsed.error };
  const resolved = resolveAnomalyConfig(parsed.value, env, "anomaly");
  if (!resolved.ok) return { config: undefined, issues: resolved.error };
  const issues = unsupportedResponses(resolved.value);
  return issues.length > 0 ? { config: undefined, issues } : { config: resolved.value, issues: [] };
}
