import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../../src/adapters/limiter/circuit-breaker.ts";
import { DenyCache } from "../../../src/adapters/limiter/deny-cache.ts";
import { registerLimiterMetrics } from "../../../src/adapters/limiter/limiter-metrics.ts";
import { LocalLimiter } from "../../../src/adapters/limiter/local-limiter.ts";
import type { RedisOutcome } from "../../../src/adapters/limiter/redis-limiter.ts";
import { ResilientLimiter, type RedisChargePort } from "../../../src/adapters/limiter/resilient-limiter.ts";
import type { ChargeRequest } from "../../../src/core/limit/limiter-port.ts";
import { err, ok, type Result } from "../../../src/core/result.ts";

// The composite's routing, with a scripted stand-in for Redis (the real one is exercised in
// test/integration/redis-*.test.ts): deadline, breaker, fail-closed, global shadow, metrics.

const minute = { name: "minute", requests: 10, periodMs: 60_000, burst: 10, by: { kind: "identity" as const } };
const REQ: ChargeRequest = { charges: [{ key: "k", limit: minute }], cost: 1, failClosed: false, penaltyBox: undefined };

const ALLOWED: RedisOutcome = {
  verdict: { kind: "allowed", states: [{ name: "minute", quota: 10, windowSeconds: 60, remaining: 1, resetSeconds: 54 }], mode: "redis" },
  nowMs: 0,
  denials: [],
  blockMs: 0,
  blockStarted: false,
};

type Answer = Result<RedisOutcome, string> | "hang" | { readonly afterMs: number };

function setup(answers: Answer[], options: { shadow?: boolean; backendReady?: boolean; warmupCalls?: number } = {}) {
  const clock = { now: 0 };
  const seen: ChargeRequest[] = [];
  const cancels: unknown[] = [];
  const redis: RedisChargePort = {
    tryCharge: (request, cancel) => {
      seen.push(request);
      cancels.push(cancel);
      const answer = answers.shift() ?? ok(ALLOWED);
      if (answer === "hang") return new Promise(() => undefined);
      if ("afterMs" in answer) return new Promise((resolve) => setTimeout(resolve, answer.afterMs, ok(ALLOWED)));
      return Promise.resolve(answer);
    },
  };
  const registry = new Registry();
  const metrics = registerLimiterMetrics(registry);
  const breaker = new CircuitBreaker({ failures: 2, openForMs: 1000, now: () => clock.now });
  const limiter = new ResilientLimiter({
    redis,
    local: new LocalLimiter({ now: () => 1_795_000_000_000, share: 0.5 }),
    breaker,
    cache: new DenyCache(100, () => clock.now),
    metrics,
    deadlineMs: 20,
    warmup: { calls: options.warmupCalls ?? 0, deadlineMs: 200 },
    shadow: options.shadow ?? false,
    clock: () => clock.now,
    backendReady: () => options.backendReady ?? true,
  });
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((n, v) => n + v.value, 0);
  };
  return { clock, seen, cancels, breaker, limiter, metric };
}

describe("ResilientLimiter", () => {
  it("passes Redis verdicts through and counts near-limit requests", async () => {
    const { limiter, metric } = setup([ok(ALLOWED)]);
    expect(await limiter.charge(REQ)).toEqual(ALLOWED.verdict);
    expect(await metric("modelgate_limiter_verdicts_total", { source: "redis", result: "allowed" })).toBe(1);
    expect(await metric("modelgate_limiter_near_limit_total")).toBe(1);
  });

  it.each<[string, Answer, string]>([
    ["an error", err("ECONNREFUSED"), "error"],
    ["no answer before the deadline", "hang", "timeout"],
  ])("falls back to the local limiter at its share on %s", async (_name, answer, reason) => {
    const { limiter, metric } = setup([answer]);
    const started = performance.now();
    expect(await limiter.charge(REQ)).toMatchObject({ kind: "allowed", mode: "local", states: [{ quota: 5, remaining: 4 }] });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await metric("modelgate_limiter_fallback_total", { reason })).toBe(1);
  });

  it("a fail-closed request gets `unavailable`, never the local limiter", async () => {
    const { limiter, metric } = setup([err("down")]);
    expect(await limiter.charge({ ...REQ, failClosed: true })).toMatchObject({ kind: "unavailable" });
    expect(await metric("modelgate_limiter_verdicts_total", { source: "local", result: "unavailable" })).toBe(1);
  });

  it("opens the breaker: no Redis call until the half-open probe, whose success closes it", async () => {
    const { limiter, seen, clock, breaker } = setup([err("x"), err("y")]);
    await limiter.charge(REQ);
    await limiter.charge(REQ);
    expect(breaker.state).toBe("open");
    await limiter.charge(REQ);
    expect(seen).toHaveLength(2);
    clock.now += 1000;
    expect(await limiter.charge(REQ)).toMatchObject({ mode: "redis" });
    expect(seen).toHaveLength(3);
    expect(breaker.state).toBe("closed");
  });

  it("the global shadow switch marks every limit shadow and drops the penalty box before Redis sees it", async () => {
    const { limiter, seen } = setup([ok(ALLOWED)], { shadow: true });
    await limiter.charge({ ...REQ, penaltyBox: { key: "pb", spec: { violations: 1, withinMs: 1, blockMs: 1, maxBlockMs: 1 } } });
    expect(seen[0]?.charges.every((c) => c.limit.shadow === true)).toBe(true);
    expect(seen[0]?.penaltyBox).toBeUndefined();
  });

  it("answers a cached denial without asking Redis", async () => {
    const denied: RedisOutcome = {
      ...ALLOWED,
      verdict: { kind: "limited", states: [], violated: ["minute"], retryAfterSeconds: 5, mode: "redis" },
      denials: [
        { key: "k", cost: 1, retryAfterMs: 5000, state: { name: "minute", quota: 10, windowSeconds: 60, remaining: 0, resetSeconds: 5 } },
      ],
    };
    const { limiter, seen, metric } = setup([ok(denied)]);
    await limiter.charge(REQ);
    expect(await limiter.charge(REQ)).toMatchObject({ kind: "limited", mode: "redis" });
    expect(seen).toHaveLength(1);
    expect(await metric("modelgate_limiter_verdicts_total", { source: "cache" })).toBe(1);
  });

  it("waits up to the warm-up deadline for a fresh replica's first answers, then the normal deadline", async () => {
    const { limiter, metric } = setup([{ afterMs: 60 }, { afterMs: 60 }], { warmupCalls: 1 });
    expect(await limiter.charge(REQ)).toMatchObject({ kind: "allowed", mode: "redis" });
    expect(await limiter.charge(REQ)).toMatchObject({ kind: "allowed", mode: "local" });
    expect(await metric("modelgate_limiter_fallback_total", { reason: "timeout" })).toBe(1);
  });

  describe("before Redis was ever reached (a cold start)", () => {
    it.each([false, true])("a request with limits is `unavailable` (fail-closed %s), never the local share", async (failClosed) => {
      const { limiter, seen, metric } = setup([], { backendReady: false });
      expect(await limiter.charge({ ...REQ, failClosed })).toEqual({
        kind: "unavailable",
        detail: "Redis has not been reachable since this replica started",
      });
      expect(seen).toHaveLength(0);
      expect(await metric("modelgate_limiter_fallback_total", { reason: "not_ready" })).toBe(1);
      expect(await metric("modelgate_limiter_verdicts_total", { source: "local", result: "allowed" })).toBe(0);
    });

    it("a request without limits (sanctions only) is answered by the local limiter, which mirrors them", async () => {
      const { limiter } = setup([], { backendReady: false });
      expect(await limiter.charge({ ...REQ, charges: [], sanction: "mg:sx:{a}" })).toMatchObject({ kind: "allowed", mode: "local" });
    });
  });

  describe("a cancelled call (the caller's deadline answer went out)", () => {
    it.each<[string, Answer]>([
      ["Redis failed", err("ECONNREFUSED")],
      ["Redis missed the limiter deadline", "hang"],
    ])("is not charged locally when %s", async (_name, answer) => {
      const { limiter, metric } = setup([answer]);
      expect(await limiter.charge(REQ, { aborted: true })).toMatchObject({ kind: "unavailable" });
      expect(await metric("modelgate_limiter_verdicts_total", { source: "local", result: "allowed" })).toBe(0);
    });

    it("hands the cancellation to the Redis call, which gives back what it charged once it is set", async () => {
      const { limiter, cancels } = setup([ok(ALLOWED)]);
      const cancel = { aborted: false };
      await limiter.charge(REQ, cancel);
      expect(cancels[0]).toBe(cancel);
    });
  });
});
