import type { Registry } from "prom-client";
import type { Limiter } from "../../core/limiter.ts";
import type { Logger } from "../log/json-logger.ts";
import { CircuitBreaker, type BreakerState } from "./circuit-breaker.ts";
import { DenyCache } from "./deny-cache.ts";
import { registerLimiterMetrics, type LimiterMetrics } from "./limiter-metrics.ts";
import { LocalLimiter } from "./local-limiter.ts";
import { connectRedis, type RedisConnection } from "./redis-connection.ts";
import type { RedisLimiterConfig } from "./redis-limiter-config.ts";
import { RedisLimiter } from "./redis-limiter.ts";
import { ResilientLimiter } from "./resilient-limiter.ts";
import { redisSanctions, SANCTION_RETRY_DELAYS_MS } from "./redis-sanctions.ts";
import type { SanctionPort } from "../../core/limit/sanction.ts";

// Wires the Redis-backed limiter: connection, script, breaker, deny cache, local fallback and
// metrics. The composition root calls this when `limiter.redis` (or MODELGATE_REDIS_URL) is set.

export interface RedisLimiterDeps {
  readonly registry: Registry;
  readonly logger?: Pick<Logger, "info" | "warn">;
  readonly monotonicMs?: () => number; // breaker, deadline accounting and deny cache
  readonly epochMs?: () => number; // the local fallback limiter's clock
}

export interface RedisLimiterHandle {
  readonly limiter: Limiter;
  readonly sanctions: SanctionPort; // where anomaly responses put blocks and lowered limits
  readonly connection: RedisConnection;
  readonly breaker: CircuitBreaker;
  readonly metrics: LimiterMetrics;
  // Resolves true once connected (false after `withinMs`): until then calls go to the local
  // limiter, so a server may wait for this at start-up.
  ready(withinMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createRedisLimiter(config: RedisLimiterConfig, deps: RedisLimiterDeps): RedisLimiterHandle {
  const clock = deps.monotonicMs ?? (() => performance.now());
  const metrics = registerLimiterMetrics(deps.registry);
  const log = errorLog(deps.logger);
  const connection = connectRedis(config.target, {
    commandTimeoutMs: config.deadlineMs,
    connectTimeoutMs: config.connectTimeoutMs,
    onError: (e) => log.error(e.message),
  });
  const breaker = new CircuitBreaker({
    failures: config.breaker.failures,
    openForMs: config.breaker.openForMs,
    now: clock,
    onChange: (state) => {
      metrics.mode(state === "closed" ? "redis" : "local");
      log.state(state, config.localShare);
    },
  });
  const local = new LocalLimiter({ now: deps.epochMs ?? Date.now, share: config.localShare });
  const limiter = new ResilientLimiter({
    redis: new RedisLimiter(connection),
    local,
    breaker,
    cache: new DenyCache(config.denyCacheSize, clock),
    metrics,
    deadlineMs: config.deadlineMs,
    shadow: config.shadow,
    clock,
    onRedisError: log.error,
  });
  const sanctions = redisSanctions(connection, local, {
    delaysMs: SANCTION_RETRY_DELAYS_MS,
    now: clock,
    onRetried: (key, outcome) =>
      outcome === "applied" ? deps.logger?.info("anomaly sanction written to Redis on retry", { key }) : deps.logger?.warn("anomaly sanction not written to Redis: retries exhausted", { key }),
  });
  return { limiter, sanctions, connection, breaker, metrics, ready: (withinMs) => whenReady(connection, withinMs), close: () => connection.close() };
}

function whenReady(connection: RedisConnection, withinMs: number): Promise<boolean> {
  if (connection.client.status === "ready") return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      connection.client.off("ready", onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(done, withinMs, false);
    connection.client.once("ready", onReady);
  });
}

// One line per breaker transition, and the first Redis error after each: ioredis reports an
// error on every reconnect attempt, which would flood the log during an outage.
function errorLog(logger: RedisLimiterDeps["logger"]) {
  let quiet = false;
  return {
    error: (detail: string) => {
      if (quiet) return;
      quiet = true;
      logger?.warn("rate limiter: Redis error", { error: detail });
    },
    state: (state: BreakerState, share: number) => {
      if (state === "half-open") return;
      quiet = false;
      if (state === "open") logger?.warn("rate limiter: Redis unavailable; using the local limiter", { share });
      else logger?.info("rate limiter: Redis-backed again");
    },
  };
}
