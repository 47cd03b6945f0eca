import type { ChargeRequest, Limiter, LimitVerdict } from "../../core/limiter.ts";
import { err, type Result } from "../../core/result.ts";
import type { BreakerRoute, CircuitBreaker } from "./circuit-breaker.ts";
import { withDeadline } from "./deadline.ts";
import type { DenyCache } from "./deny-cache.ts";
import type { FallbackReason, LimiterMetrics, VerdictResult, VerdictSource } from "./limiter-metrics.ts";
import type { LocalLimiter } from "./local-limiter.ts";
import type { RedisOutcome } from "./redis-limiter.ts";

// The limiter the pipeline calls when Redis is configured (anomaly sanctions come with it): the deny cache first, then Redis
// within a deadline behind a circuit breaker, and the local limiter (at a share of each limit)
// whenever Redis cannot answer in time, unless the allowing policy fails closed (then the
// verdict is `unavailable`, a 503). Identity and policy were decided before this runs, so a
// Redis failure never relaxes them. No call waits longer than the deadline.

export interface RedisChargePort {
  tryCharge(request: ChargeRequest): Promise<Result<RedisOutcome, string>>;
}

export interface ResilientLimiterParts {
  readonly redis: RedisChargePort;
  readonly local: LocalLimiter;
  readonly breaker: CircuitBreaker;
  readonly cache: DenyCache;
  readonly metrics: LimiterMetrics;
  readonly deadlineMs: number;
  readonly shadow: boolean; // the global switch: every limit counted, none enforced, no penalty box
  readonly clock: () => number; // monotonic milliseconds
  readonly onRedisError?: (detail: string) => void;
}

const TIMED_OUT: Result<RedisOutcome, string> = err("timeout");
const NEAR = 0.2; // "near the limit": at most 20 % of the burst left

export class ResilientLimiter implements Limiter {
  readonly #p: ResilientLimiterParts;

  constructor(parts: ResilientLimiterParts) {
    this.#p = parts;
  }

  charge(request: ChargeRequest): Promise<LimitVerdict> {
    const req = this.#p.shadow ? allShadow(request) : request;
    const cached = this.#p.cache.lookup(req);
    if (cached !== undefined) return Promise.resolve(this.#count("cache", req, cached));
    const route = this.#p.breaker.route();
    if (route === "local") return Promise.resolve(this.#fallback(req, "breaker_open"));
    return this.#viaRedis(req, route);
  }

  async #viaRedis(req: ChargeRequest, route: BreakerRoute): Promise<LimitVerdict> {
    const { metrics, breaker, cache, clock } = this.#p;
    const sentAt = clock();
    const result = await withDeadline(this.#p.redis.tryCharge(req), this.#p.deadlineMs, TIMED_OUT);
    const seconds = (clock() - sentAt) / 1000;
    if (!result.ok) {
      const reason = result === TIMED_OUT ? "timeout" : "error";
      metrics.redisCall(seconds, reason);
      breaker.failed(route);
      if (reason === "error") this.#p.onRedisError?.(result.error);
      return this.#fallback(req, reason);
    }
    metrics.redisCall(seconds, "ok");
    breaker.succeeded(route);
    cache.remember(req, result.value, sentAt);
    metrics.denyCacheEntries(cache.size);
    if (result.value.blockStarted) metrics.penaltyBlock();
    return this.#count("redis", req, result.value.verdict);
  }

  #fallback(req: ChargeRequest, reason: FallbackReason): LimitVerdict {
    this.#p.metrics.fallback(reason);
    if (!req.failClosed) return this.#count("local", req, this.#p.local.chargeNow(req.charges, req.cost, req.penaltyBox, req.sanction));
    this.#p.metrics.verdict("local", "unavailable");
    return { kind: "unavailable", detail: `Redis did not answer (${reason}) and the policy's failureMode is closed` };
  }

  #count(source: VerdictSource, req: ChargeRequest, verdict: LimitVerdict): LimitVerdict {
    const { metrics } = this.#p;
    metrics.verdict(source, verdict.kind === "blocked" && verdict.by === "anomaly" ? "anomaly_block" : RESULT[verdict.kind]);
    if (verdict.kind !== "allowed") return verdict;
    if (verdict.shadowed !== undefined) metrics.shadowOverLimit(verdict.shadowed.length);
    // Local states are scaled down by the share, so only Redis verdicts say how near a limit is.
    const near = source === "redis" && verdict.states.some((s, i) => {
      const limit = req.charges[i]?.limit;
      return limit !== undefined && limit.shadow !== true && s.remaining <= limit.burst * NEAR;
    });
    if (near) metrics.nearLimit();
    return verdict;
  }
}

const RESULT: Readonly<Record<LimitVerdict["kind"], VerdictResult>> = {
  allowed: "allowed",
  limited: "limited",
  blocked: "penalty_box",
  unavailable: "unavailable",
};

function allShadow(request: ChargeRequest): ChargeRequest {
  return {
    ...request,
    charges: request.charges.map((c) => ({ key: c.key, limit: { ...c.limit, shadow: true } })),
    penaltyBox: undefined,
  };
}
