import type { Cancellation, ChargeRequest, Limiter, LimitVerdict } from "../../core/limit/limiter-port.ts";
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
// The local fallback is for outages of a Redis this replica has reached: until the connection
// is first prepared (connected, scripts loaded) a request with limits is `unavailable`, so a
// cold start never admits on the local share. A cancelled call charges nothing locally.

export interface RedisChargePort {
  tryCharge(request: ChargeRequest, cancel?: Cancellation): Promise<Result<RedisOutcome, string>>;
}

export interface ResilientLimiterParts {
  readonly redis: RedisChargePort;
  readonly local: LocalLimiter;
  readonly breaker: CircuitBreaker;
  readonly cache: DenyCache;
  readonly metrics: LimiterMetrics;
  readonly deadlineMs: number;
  // A fresh replica's first calls: its code is not compiled yet and its event loop stalls, so
  // until `calls` Redis answers arrived a call may take up to `deadlineMs` of this instead.
  readonly warmup: { readonly calls: number; readonly deadlineMs: number };
  readonly shadow: boolean; // the global switch: every limit counted, none enforced, no penalty box
  readonly clock: () => number; // monotonic milliseconds
  readonly backendReady: () => boolean; // Redis has been reached with the scripts loaded
  readonly onRedisError?: (detail: string) => void;
}

const TIMED_OUT: Result<RedisOutcome, string> = err("timeout");
const NEAR = 0.2; // "near the limit": at most 20 % of the burst left

export class ResilientLimiter implements Limiter {
  readonly #p: ResilientLimiterParts;
  #answered = 0; // Redis answers so far, counted up to the warm-up's end

  constructor(parts: ResilientLimiterParts) {
    this.#p = parts;
  }

  charge(request: ChargeRequest, cancel?: Cancellation): Promise<LimitVerdict> {
    const req = this.#p.shadow ? allShadow(request) : request;
    const cached = this.#p.cache.lookup(req);
    if (cached !== undefined) return Promise.resolve(this.#count("cache", req, cached));
    if (!this.#p.backendReady()) return Promise.resolve(this.#fallback(req, "not_ready", cancel));
    const route = this.#p.breaker.route();
    if (route === "local") return Promise.resolve(this.#fallback(req, "breaker_open", cancel));
    return this.#viaRedis(req, route, cancel);
  }

  async #viaRedis(req: ChargeRequest, route: BreakerRoute, cancel: Cancellation | undefined): Promise<LimitVerdict> {
    const { metrics, breaker, cache, clock } = this.#p;
    const sentAt = clock();
    const result = await withDeadline(this.#p.redis.tryCharge(req, cancel), this.#deadlineMs(), TIMED_OUT);
    const seconds = (clock() - sentAt) / 1000;
    if (!result.ok) {
      const reason = result === TIMED_OUT ? "timeout" : "error";
      metrics.redisCall(seconds, reason);
      breaker.failed(route);
      if (reason === "error") this.#p.onRedisError?.(result.error);
      return this.#fallback(req, reason, cancel);
    }
    metrics.redisCall(seconds, "ok");
    if (this.#answered < this.#p.warmup.calls) this.#answered += 1;
    breaker.succeeded(route);
    cache.remember(req, result.value, sentAt);
    metrics.denyCacheEntries(cache.size);
    if (result.value.blockStarted) metrics.penaltyBlock();
    return this.#count("redis", req, result.value.verdict);
  }

  #deadlineMs(): number {
    const { deadlineMs, warmup } = this.#p;
    return this.#answered < warmup.calls ? Math.max(deadlineMs, warmup.deadlineMs) : deadlineMs;
  }

  // Before Redis was first reached only a request without limits (asking about sanctions, which
  // this replica mirrors locally) is answered here: there is nothing it could over-admit.
  #fallback(req: ChargeRequest, reason: FallbackReason, cancel: Cancellation | undefined): LimitVerdict {
    this.#p.metrics.fallback(reason);
    const cold = reason === "not_ready" && req.charges.length > 0;
    if (!req.failClosed && !cold && cancel?.aborted !== true) {
      return this.#count("local", req, this.#p.local.chargeNow(req.charges, req.cost, req.penaltyBox, req.sanction));
    }
    this.#p.metrics.verdict("local", "unavailable");
    return { kind: "unavailable", detail: unavailableDetail(reason, cold, cancel?.aborted === true) };
  }

  #count(source: VerdictSource, req: ChargeRequest, verdict: LimitVerdict): LimitVerdict {
    const { metrics } = this.#p;
    metrics.verdict(source, verdict.kind === "blocked" && verdict.by === "anomaly" ? "anomaly_block" : RESULT[verdict.kind]);
    if (verdict.kind !== "allowed") return verdict;
    if (verdict.shadowed !== undefined) metrics.shadowOverLimit(verdict.shadowed.length);
    // Local states are scaled down by the share, so only Redis verdicts say how near a limit is.
    const near =
      source === "redis" &&
      verdict.states.some((s, i) => {
        const limit = req.charges[i]?.limit;
        return limit !== undefined && limit.shadow !== true && s.remaining <= limit.burst * NEAR;
      });
    if (near) metrics.nearLimit();
    return verdict;
  }
}

function unavailableDetail(reason: FallbackReason, cold: boolean, cancelled: boolean): string {
  if (cancelled) return "the caller's deadline passed before the rate limits were checked";
  if (cold) return "Redis has not been reachable since this replica started";
  return `Redis did not answer (${reason}) and the policy's failureMode is closed`;
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
