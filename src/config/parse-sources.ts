import { parseRedisLimiterConfig, withRedisUrl, type RedisLimiterConfig } from "../adapters/limiter/redis-limiter-config.ts";
import type { Issue } from "../core/result.ts";
import { isPlainObject, rejectUnknownKeys } from "../core/parse/fields.ts";

// Where policies come from (`policySource`; its `kubernetes:` section is parse-kubernetes.ts)
// and which limiter counts (`limiter.redis`, or MODELGATE_REDIS_URL). Absent sections keep the
// embedded defaults: files and the in-process limiter.

export type PolicySource = "files" | "kubernetes";


export function parseLimiterSection(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { redis: RedisLimiterConfig | undefined; issues: Issue[] } {
  if (value !== undefined && !isPlainObject(value)) return { redis: undefined, issues: [{ path: "limiter", message: "must be a mapping with only `redis`" }] };
  const unknown: Issue[] = [];
  if (value !== undefined) rejectUnknownKeys(value, ["redis"], "limiter", unknown);
  if (unknown.length > 0) return { redis: undefined, issues: unknown };
  const url = env["MODELGATE_REDIS_URL"];
  const raw = value === undefined ? undefined : value["redis"];
  const effective = url !== undefined && url !== "" ? withRedisUrl(raw, url) : raw;
  if (effective === undefined) return { redis: undefined, issues: [] };
  const parsed = parseRedisLimiterConfig(effective, "limiter.redis");
  if (!parsed.ok) return { redis: undefined, issues: parsed.error };
  // MODELGATE_REDIS_PASSWORD (from a Secret) overrides the URL's password, so neither the
  // ConfigMap nor the URL has to carry it.
  const password = env["MODELGATE_REDIS_PASSWORD"];
  if (password === undefined || password === "") return { redis: parsed.value, issues: [] };
  return { redis: { ...parsed.value, target: { ...parsed.value.target, password } }, issues: [] };
}
