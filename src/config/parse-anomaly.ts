import { parseAnomalyConfig, resolveAnomalyConfig, type AnomalyConfig } from "../core/anomaly/anomaly-config.ts";
import type { Issue } from "../core/result.ts";

// `anomaly:` in the configuration file (see README "Anomaly detection").

export function parseAnomalySection(value: unknown, env: Readonly<Record<string, string | undefined>>): { config: AnomalyConfig | undefined; issues: Issue[] } {
  if (value === undefined) return { config: undefined, issues: [] };
  const parsed = parseAnomalyConfig(value, "anomaly");
  if (!parsed.ok) return { config: undefined, issues: parsed.error };
  const resolved = resolveAnomalyConfig(parsed.value, env, "anomaly");
  if (!resolved.ok) return { config: undefined, issues: resolved.error };
  return { config: resolved.value, issues: [] };
}
