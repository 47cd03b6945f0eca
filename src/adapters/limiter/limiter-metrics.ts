import { Counter, Gauge, Histogram, type Registry } from "prom-client";

// The limiter's own metrics, registered on the process registry by the wiring (src/wiring/create-redis-limiter.ts).
// Labels are closed sets; no identity, key, policy or address is ever a label.

export type VerdictSource = "redis" | "local" | "cache";
export type VerdictResult = "allowed" | "limited" | "penalty_box" | "anomaly_block" | "unavailable";
export type RedisCallOutcome = "ok" | "error" | "timeout";
// not_ready: Redis has not been reached (with the scripts loaded) since start-up
export type FallbackReason = "breaker_open" | "error" | "timeout" | "not_ready";

export interface LimiterMetrics {
  verdict(source: VerdictSource, result: VerdictResult): void;
  redisCall(seconds: number, outcome: RedisCallOutcome): void;
  fallback(reason: FallbackReason): void;
  mode(current: "redis" | "local"): void;
  nearLimit(): void;
  shadowOverLimit(limits: number): void;
  penaltyBlock(): void;
  denyCacheEntries(n: number): void;
  backendReady(ready: boolean): void;
}

export function registerLimiterMetrics(registry: Registry): LimiterMetrics {
  const registers = [registry];
  const verdicts = new Counter({
    name: "modelgate_limiter_verdicts_total",
    help: "Limiter verdicts by where they came from (redis, local fallback, deny cache) and result",
    labelNames: ["source", "result"] as const,
    registers,
  });
  const calls = new Histogram({
    name: "modelgate_limiter_redis_call_seconds",
    help: "Round trip of one limiter call to Redis (script and any give-back), by outcome",
    labelNames: ["outcome"] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers,
  });
  const fallbacks = new Counter({
    name: "modelgate_limiter_fallback_total",
    help: "Limiter calls answered by the local limiter (or denied fail-closed) because Redis was not used",
    labelNames: ["reason"] as const,
    registers,
  });
  const mode = new Gauge({
    name: "modelgate_limiter_mode",
    help: "1 for the limiter's current mode: redis or local (breaker open)",
    labelNames: ["mode"] as const,
    registers,
  });
  const near = new Counter({
    name: "modelgate_limiter_near_limit_total",
    help: "Allowed requests that left an enforced limit at least 80% used",
    registers,
  });
  const shadow = new Counter({
    name: "modelgate_limiter_shadow_over_limit_total",
    help: "Shadow limits a request went over (allowed anyway)",
    registers,
  });
  const blocks = new Counter({ name: "modelgate_limiter_penalty_blocks_total", help: "Penalty-box blocks started", registers });
  const cache = new Gauge({
    name: "modelgate_limiter_deny_cache_entries",
    help: "Keys in the local cache of over-limit callers",
    registers,
  });
  const backend = new Gauge({
    name: "modelgate_limiter_backend_ready",
    help: "1 once Redis has been reached with the limiter scripts loaded (the replica is ready only then); stays 1 through later outages",
    registers,
  });
  backend.set(0);
  mode.set({ mode: "redis" }, 1);
  mode.set({ mode: "local" }, 0);
  return {
    verdict: (source, result) => verdicts.inc({ source, result }),
    redisCall: (seconds, outcome) => calls.observe({ outcome }, seconds),
    fallback: (reason) => fallbacks.inc({ reason }),
    mode: (current) => {
      mode.set({ mode: "redis" }, current === "redis" ? 1 : 0);
      mode.set({ mode: "local" }, current === "local" ? 1 : 0);
    },
    nearLimit: () => near.inc(),
    shadowOverLimit: (limits) => shadow.inc(limits),
    penaltyBlock: () => blocks.inc(),
    denyCacheEntries: (n) => cache.set(n),
    backendReady: (ready) => backend.set(ready ? 1 : 0),
  };
}
