import { Gauge, type Registry } from "prom-client";
import type { Config } from "../config/config.ts";
import type { Logger } from "../adapters/log/json-logger.ts";
import { createRedisLimiter, type RedisLimiterHandle } from "./create-redis-limiter.ts";
import { loadKubeConfig } from "../adapters/k8s/kube-collections.ts";
import { createKubernetesSources, type KubernetesSources } from "./kubernetes-sources.ts";
import { SYSTEM_TIMERS } from "../adapters/k8s/resource-watch.ts";
import { err, ok, type Issue, type Result } from "../core/result.ts";
import { warningText } from "../core/policy/broad-grants.ts";
import type { EngineExtras } from "./decision-engine.ts";

// The adapters that replace the embedded defaults when configured: the Redis limiter
// (limiter.redis / MODELGATE_REDIS_URL) and the Kubernetes sources (policySource: kubernetes).

export interface ProductionAdapters {
  readonly extras: EngineExtras;
  readonly redis: RedisLimiterHandle | undefined;
  readonly kubernetes: KubernetesSources | undefined;
  close(): Promise<void>; // the Redis connection; the engine starts and stops the Kubernetes sources
}

export interface AdapterDeps {
  readonly registry: Registry;
  readonly logger: Logger;
  readonly replica: string; // the pod name: the status-writer Lease holder identity
}

function kubernetesSources(config: Config, deps: AdapterDeps): Result<KubernetesSources | undefined, readonly Issue[]> {
  if (config.policySource !== "kubernetes") return ok(undefined);
  const kc = loadKubeConfig(config.kubernetes);
  if (!kc.ok) return err(kc.error);
  return ok(
    createKubernetesSources(kc.value, {
      config: config.kubernetes,
      namespace: config.namespace,
      identity: deps.replica,
      timers: SYSTEM_TIMERS,
      hooks: {
        onLoop: (source, event) => {
          if (event.kind === "retry" || event.kind === "stalled")
            deps.logger.warn(`kubernetes ${source} watch ${event.kind}`, { ...event });
          else deps.logger.debug(`kubernetes ${source} watch ${event.kind}`, { ...event });
        },
        onPolicies: (index, statuses) => {
          const rejected = statuses.filter((s) => !s.accepted).map((s) => ({ policy: s.key, issues: s.issues }));
          deps.logger.info("policies loaded", { count: index.policyCount, rejected });
          for (const w of statuses.flatMap((s) => s.warnings)) deps.logger.warn("policies warning", { warning: warningText(w) });
        },
        onKeys: (index, statuses) => {
          const rejected = statuses.filter((s) => !s.accepted).map((s) => ({ apiKey: s.key, issues: s.issues }));
          if (rejected.length > 0) deps.logger.warn("api key records refused: they serve no key", { count: index.size, rejected });
          else deps.logger.debug("api keys loaded", { count: index.size });
        },
        onStatusError: (key, message) => deps.logger.warn("cannot write AccessPolicy status", { policy: key, error: message }),
      },
    }),
  );
}

export function registerStaleness(registry: Registry, kube: KubernetesSources): void {
  new Gauge({
    name: "modelgate_kubernetes_staleness_seconds",
    help: "Seconds since the last successful list or watch event (last-known-good serves meanwhile)",
    labelNames: ["source"] as const,
    registers: [registry],
    collect() {
      const seconds = (ms: number) => (Number.isFinite(ms) ? ms / 1000 : -1);
      this.set({ source: "policies" }, seconds(kube.policies.staleness()));
      if (kube.keys !== undefined) this.set({ source: "apikeys" }, seconds(kube.keys.staleness()));
    },
  });
}

export function createProductionAdapters(config: Config, deps: AdapterDeps): Result<ProductionAdapters, readonly Issue[]> {
  const kube = kubernetesSources(config, deps);
  if (!kube.ok) return kube;
  if (kube.value !== undefined) registerStaleness(deps.registry, kube.value);
  const redis =
    config.redisLimiter === undefined
      ? undefined
      : createRedisLimiter(config.redisLimiter, { registry: deps.registry, logger: deps.logger });
  const extras: EngineExtras = {
    ...(redis === undefined ? {} : { limiter: { limiter: redis.limiter, sanctions: redis.sanctions } }),
    ...(kube.value === undefined ? {} : { kubernetes: kube.value }),
  };
  return ok({
    extras,
    redis,
    kubernetes: kube.value,
    close: async () => {
      await redis?.close();
    },
  });
}
