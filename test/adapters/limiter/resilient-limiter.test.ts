import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../../src/adapters/limiter/circuit-breaker.ts";
import { DenyCache } from "../../../src/adapters/limiter/deny-cache.ts";
import { registerLimiterMetrics } from "../../../src/adapters/limiter/limiter-metrics.ts";
import { LocalLimiter } from "../../../src/adapters/limiter/local-limiter.ts";
import type { RedisOutcome } from "../../../src/adapters/limiter/redis-limiter.ts";
import { ResilientLimiter, type RedisChargePort } from "../../../src/adapters/limiter/resilient-limiter.ts";
import type { ChargeRequest } from "../../../src/core/limiter.ts";
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

type Answer = Result<RedisOutcome, string> | "hang";

function setup(answers: Answer[], options: { shadow?: boolean } = {}) {
  const clock = { now: 0 };
  const seen: ChargeRequest[] = [];
  const redis: RedisChargePort = {
    tryCharge: (request) => {
      seen.push(request);
      const answer = answers.shift() ?? ok(ALLOWED);
      return answer === "hang" ? new Promise(() => undefined) : Promise.resolve(answer);
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
    shadow: options.shadow ?? false,
    clock: () => clock.now,
  });
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((n, v) => n + v.value, 0);
  };
  return { clock, seen, breaker, limiter, metric };
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
      denials: [{ key: "k", cost: 1, retryAfterMs: 5000, state: { name: "minute", quota: 10, windowSeconds: 60, remaining: 0, resetSeconds: 5 } }],
    };
    const { limiter, seen, metric } = setup([ok(denied)]);
    await limiter.charge(REQ);
    expect(await limiter.charge(REQ)).toMatchObject({ kind: "limited", mode: "redis" });
    expect(seen).toHaveLength(1);
    expect(await metric("modelgate_limiter_verdicts_total", { source: "cache" })).toBe(1);
  });
});
