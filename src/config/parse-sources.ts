import { isAbsolute, resolve } from "node:path";
import { DEFAULT_KUBERNETES_CONFIG, parseKubernetesConfig, type KubernetesConfig } from "../adapters/k8s/k8s-config.ts";
import { parseRedisLimiterConfig, withRedisUrl, type RedisLimiterConfig } from "../adapters/limiter/redis-limiter-config.ts";
import type { Issue } from "../core/result.ts";

// Where policies and keys come from (`policySource`, `kubernetes:`) and which limiter counts
// (`limiter.redis`, or MODELGATE_REDIS_URL). Absent sections keep the embedded defaults:
// files and the in-process limiter.

export type PolicySource = "files" | "kubernetes";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseLimiterSection(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { redis: RedisLimiterConfig | undefined; issues: Issue[] } {
  if (value !== undefined && (!isRecord(value) || Object.keys(value).some((k) => k !== "redis"))) {
    return { redis: undefined, issues: [{ path: "limiter", message: "must be a mapping with only `redis`" }] };
  }
  const url = env["MODELGATE_REDIS_URL"];
  const raw = isRecord(value) ? value["redis"] : undefined;
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

export function parseKubernetesSection(value: unknown, baseDir: string): { config: KubernetesConfig; issues: Issue[] } {
  if (value === undefined) return { config: DEFAULT_KUBERNETES_CONFIG, issues: [] };
  const parsed = parseKubernetesConfig(value, "kubernetes");
  if (!parsed.ok) return { config: DEFAULT_KUBERNETES_CONFIG, issues: parsed.error };
  const kubeconfig = parsed.value.kubeconfig;
  const absolute = kubeconfig === undefined || isAbsolute(kubeconfig) ? kubeconfig : resolve(baseDir, kubeconfig);
  return { config: { ...parsed.value, kubeconfig: absolute }, issues: [] };
}
