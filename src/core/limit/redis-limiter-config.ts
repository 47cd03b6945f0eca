import type { RedisTarget } from "../redis-url.ts";

// The Redis limiter's settings: `limiter.redis` in the configuration, parsed by
// config/parse-redis-limiter.ts.

export interface BreakerConfig {
  readonly failures: number; // consecutive Redis failures that open the breaker
  readonly openForMs: number; // how long it stays open before one half-open probe
}

export interface RedisLimiterConfig {
  readonly target: RedisTarget;
  readonly deadlineMs: number; // per limiter call, Redis round trip included
  readonly connectTimeoutMs: number;
  readonly localShare: number; // share of each limit a replica admits on its own while Redis is down
  readonly shadow: boolean; // count every limit, enforce none
  readonly breaker: BreakerConfig;
  readonly denyCacheSize: number;
}

export const REDIS_LIMITER_DEFAULTS = Object.freeze({
  deadlineMs: 10,
  connectTimeoutMs: 1000,
  localShare: 0.5,
  shadow: false,
  breaker: Object.freeze({ failures: 5, openForMs: 1000 }),
  denyCacheSize: 10_000,
});
