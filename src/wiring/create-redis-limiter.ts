import type { Registry } from "prom-client";
import type { Limiter } from "../core/limit/limiter-port.ts";
import type { Logger } from "../adapters/log/json-logger.ts";
import { CircuitBreaker, type BreakerState } from "../adapters/limiter/circuit-breaker.ts";
import { DenyCache } from "../adapters/limiter/deny-cache.ts";
import { registerLimiterMetrics, type LimiterMetrics } from "../adapters/limiter/limiter-metrics.ts";
import { LocalLimiter } from "../adapters/limiter/local-limiter.ts";
import { connectRedis, type RedisConnection } from "../adapters/limiter/redis-connection.ts";
import type { RedisLimiterConfig } from "../core/limit/redis-limiter-config.ts";
import { RedisLimiter } from "../adapters/limiter/redis-limiter.ts";
import { ResilientLimiter } from "../adapters/limiter/resilient-limiter.ts";
import { redisSanctions, SANCTION_RETRY_DELAYS_MS } from "../adapters/limiter/redis-sanctions.ts";
import type { SanctionPort } from "../core/limit/sanction.ts";

// Wires the Redis-backed limiter: connection, script, breaker, deny cache, local fallback and
// metrics. The decision engine uses it when `limiter.redis` (or MODELGATE_REDIS_URL) is set.

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
  // True once Redis was reached with the scripts loaded (and from then on): until then a request
  // with limits is answered `unavailable`, so the replica must not report ready before.
  backendReady(): boolean;
  // Resolves true once backendReady() holds, false if it did not within `withinMs`.
  ready(withinMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createRedisLimiter(config: RedisLimiterConfig, deps: RedisLimiterDeps): RedisLimiterHandle {
  const clock = deps.monotonicMs ?? (() => performance.now());
  const metrics = registerLimiterMetrics(deps.registry);
  const log = errorLog(deps.logger);
  const warmup = { calls: WARMUP_CALLS, deadlineMs: config.connectTimeoutMs };
  const connection = connectRedis(config.target, {
    commandTimeoutMs: commandBackstopMs(Math.max(config.deadlineMs, warmup.deadlineMs)),
    socketTimeoutMs: Math.max(1000, 50 * config.deadlineMs),
    connectTimeoutMs: config.connectTimeoutMs,
    onError: (e) => log.error(e.message),
    onPrepared: () => {
      metrics.backendReady(true);
      deps.logger?.info("rate limiter: Redis reached and scripts loaded");
    },
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
    warmup,
    shadow: config.shadow,
    clock,
    backendReady: connection.prepared,
    onRedisError: log.error,
  });

  const sanctions = redisSanctions(connection, local, {
    delaysMs: SANCTION_RETRY_DELAYS_MS,
    now: clock,
    onRetried: (key, outcome) =>
      outcome === "applied"
        ? deps.logger?.info("anomaly sanction written to Redis on retry", { key })
        : deps.logger?.warn("anomaly sanction not written to Redis: retries exhausted", { key }),
  });
  return {
    limiter,
    sanctions,
    connection,
    breaker,
    metrics,
    backendReady: connection.prepared,
    ready: (withinMs) => connection.whenPrepared(withinMs),
    close: () => connection.close(),
  };
}

// A fresh replica's first calls may take up to connectTimeout instead of the deadline: a cold
// process (compiling, stalling its event loop) would otherwise time its first calls out and
// hand them to the local share, over-admitting at every rollout. A Redis that is really down
// is noticed by the breaker after its `failures` calls, each costing at most connectTimeout.
const WARMUP_CALLS = 100;

// ioredis' own command timeout is only a backstop that frees a command Redis never answers; the
// limiter deadline (withDeadline) decides when a call has failed. Were both equal, ioredis' timer
// would fail a call whose reply is already waiting in the socket of a busy process.
function commandBackstopMs(deadlineMs: number): number {
  return 2 * deadlineMs + 50;
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
