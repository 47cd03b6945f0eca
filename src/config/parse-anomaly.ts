import { ANOMALY_DEFAULTS_TOP, type AnomalyConfig, type AnomalyRedisConfig } from "../core/anomaly/anomaly-config.ts";
import { ConfigReader } from "../core/parse/config-reader.ts";
import { isPlainObject } from "../core/parse/fields.ts";
import { err, ok, type Issue, type Result } from "../core/result.ts";
import { durationMs } from "./anomaly-values.ts";
import { parseRules } from "./parse-anomaly-rules.ts";
import { redisSectionUrl } from "./redis-section-url.ts";

// `anomaly:` in the configuration file (see README "Anomaly detection"). Unknown keys are
// rejected and every problem is reported with its path.

export function parseAnomalySection(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { config: AnomalyConfig | undefined; issues: Issue[] } {
  if (value === undefined) return { config: undefined, issues: [] };
  const parsed = parseAnomalyConfig(value, "anomaly");
  if (!parsed.ok) return { config: undefined, issues: parsed.error };
  const resolved = resolveAnomalyConfig(parsed.value, env, "anomaly");
  if (!resolved.ok) return { config: undefined, issues: resolved.error };
  return { config: resolved.value, issues: [] };
}

const TOP_KEYS = ["enabled", "redis", "maxInFlight", "outcomes", "rules"];
const KEY_PREFIX = /^[A-Za-z0-9:._-]{1,64}$/;

export function parseAnomalyConfig(raw: unknown, path: string): Result<AnomalyConfig, Issue[]> {
  const r = new ConfigReader(path);
  // Earlier versions chose per-policy responses here; the choice now lives with the policy. Even
  // an empty `policies:` is refused, so nobody keeps editing a section that does nothing.
  if (isPlainObject(raw) && Object.hasOwn(raw, "policies"))
    r.issue("policies", "per-policy responses moved to each AccessPolicy's spec.anomaly (e.g. spec.anomaly: { volume: block })");
  const top = r.section(isPlainObject(raw) ? withoutKey(raw, "policies") : raw, "", TOP_KEYS);
  const d = ANOMALY_DEFAULTS_TOP;
  const config: AnomalyConfig = {
    enabled: r.boolean(top, "enabled", d.enabled),
    redis: redisSection(r, top),
    maxInFlight: r.integer(top, "maxInFlight", d.maxInFlight, 1, 1_000_000),
    outcomes: outcomesSection(r, top),
    rules: parseRules(r, top["rules"]),
  };
  return r.issues.length > 0 ? err(r.issues) : ok(config);
}

function withoutKey(raw: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([k]) => k !== key));
}

function redisSection(r: ConfigReader, top: Record<string, unknown>): AnomalyRedisConfig {
  const s = r.section(top["redis"], "redis", ["url", "keyPrefix", "timeoutMs"]);
  const d = ANOMALY_DEFAULTS_TOP.redis;
  const keyPrefix = r.string(s, "redis.keyPrefix", d.keyPrefix);
  if (!KEY_PREFIX.test(keyPrefix))
    r.issue("redis.keyPrefix", "must be 1–64 characters: letters, digits and : . _ - (no braces: the hash tag is added per identity)");
  return { url: r.string(s, "redis.url", d.url), keyPrefix, timeoutMs: r.integer(s, "redis.timeoutMs", d.timeoutMs, 1, 60_000) };
}

function outcomesSection(r: ConfigReader, top: Record<string, unknown>): AnomalyConfig["outcomes"] {
  const s = r.section(top["outcomes"], "outcomes", ["maxPending", "wait"]);
  const d = ANOMALY_DEFAULTS_TOP.outcomes;
  return {
    maxPending: r.integer(s, "outcomes.maxPending", d.maxPending, 0, 10_000_000),
    waitMs: durationMs(r, s, "outcomes.wait", d.waitMs, 1000, 86_400_000),
  };
}

// MODELGATE_REDIS_URL fills redis.url when the file leaves it empty; an enabled detector needs one.
export function resolveAnomalyConfig(
  config: AnomalyConfig,
  env: Readonly<Record<string, string | undefined>>,
  path: string,
): Result<AnomalyConfig, Issue[]> {
  const url = redisSectionUrl(config.redis.url, env);
  const resolved: AnomalyConfig = { ...config, redis: { ...config.redis, url } };
  if (resolved.enabled && url === "")
    return err([{ path: `${path}.redis.url`, message: "is required when anomaly detection is enabled (or set MODELGATE_REDIS_URL)" }]);
  return ok(resolved);
}
