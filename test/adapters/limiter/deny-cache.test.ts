import { describe, expect, it } from "vitest";
import { DenyCache } from "../../../src/adapters/limiter/deny-cache.ts";
import type { RedisOutcome } from "../../../src/adapters/limiter/redis-limiter.ts";
import type { ChargeRequest, LimitState } from "../../../src/core/limit/limiter-port.ts";
import type { LimitSpec } from "../../../src/core/policy/types.ts";

const minute: LimitSpec = { name: "minute", requests: 5, periodMs: 60_000, burst: 5, by: { kind: "identity" } };
const hour: LimitSpec = { ...minute, name: "hour", periodMs: 3_600_000 };
const state: LimitState = { name: "minute", quota: 5, windowSeconds: 60, remaining: 0, resetSeconds: 2 };
const BOX = { key: "pb", spec: { violations: 2, withinMs: 1000, blockMs: 5000, maxBlockMs: 5000 } };

function req(extra: Partial<ChargeRequest> = {}): ChargeRequest {
  return {
    charges: [
      { key: "m", limit: minute },
      { key: "h", limit: hour },
    ],
    cost: 1,
    failClosed: false,
    penaltyBox: undefined,
    ...extra,
  };
}

function limited(retryAfterMs: number, cost = 1): RedisOutcome {
  const verdict = {
    kind: "limited",
    states: [state],
    violated: ["minute"],
    retryAfterSeconds: retryAfterMs / 1000,
    mode: "redis",
  } as const;
  return { verdict, nowMs: 0, denials: [{ key: "m", cost, retryAfterMs, state }], blockMs: 0, blockStarted: false };
}

function blocked(blockMs: number): RedisOutcome {
  const verdict = { kind: "blocked", by: "penalty_box", states: [], retryAfterSeconds: blockMs / 1000, mode: "redis" } as const;
  return { verdict, nowMs: 0, denials: [], blockMs, blockStarted: true };
}

function cache(maxEntries = 100) {
  const clock = { now: 1000 };
  return { clock, cache: new DenyCache(maxEntries, () => clock.now) };
}

describe("DenyCache", () => {
  it("answers a denied key locally until sentAt + retry-after, then not at all", () => {
    const { clock, cache: c } = cache();
    c.remember(req(), limited(2000), 900);
    expect(c.lookup(req())).toEqual({
      kind: "limited",
      states: [{ ...state, resetSeconds: 1.9 }],
      violated: ["minute"],
      retryAfterSeconds: 1.9,
      mode: "redis",
    });
    clock.now = 2899;
    expect(c.lookup(req())?.kind).toBe("limited");
    clock.now = 2900;
    expect(c.lookup(req())).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it("a smaller cost than the denied one may fit earlier, so it goes to Redis", () => {
    const { cache: c } = cache();
    c.remember(req({ cost: 3 }), limited(2000, 3), 1000);
    expect(c.lookup(req({ cost: 2 }))).toBeUndefined();
    expect(c.lookup(req({ cost: 3 }))?.kind).toBe("limited");
  });

  it("never answers for a shadow limit", () => {
    const { cache: c } = cache();
    c.remember(req(), limited(2000), 1000);
    expect(c.lookup(req({ charges: [{ key: "m", limit: { ...minute, shadow: true } }] }))).toBeUndefined();
  });

  it("under a penalty box only the block is cached: violations must reach Redis to be counted", () => {
    const { clock, cache: c } = cache();
    c.remember(req({ penaltyBox: BOX }), limited(2000), 1000);
    expect(c.lookup(req({ penaltyBox: BOX }))).toBeUndefined();
    c.remember(req({ penaltyBox: BOX }), blocked(5000), 1000);
    expect(c.lookup(req({ penaltyBox: BOX }))).toMatchObject({
      kind: "blocked",
      retryAfterSeconds: 5,
      states: [{ name: "minute", remaining: 0, resetSeconds: 5 }, { name: "hour" }],
    });
    clock.now = 6000;
    expect(c.lookup(req({ penaltyBox: BOX }))).toBeUndefined();
  });

  it("an anomaly block is answered locally for the sanctioned caller only, until it ends", () => {
    const { clock, cache: c } = cache();
    const sanctioned = { ...blocked(3000), verdict: { ...blocked(3000).verdict, by: "anomaly" as const } };
    c.remember(req({ sanction: "mg:sx:{me}" }), sanctioned, 1000);
    expect(c.lookup(req({ sanction: "mg:sx:{me}", penaltyBox: BOX }))).toMatchObject({
      kind: "blocked",
      by: "anomaly",
      retryAfterSeconds: 3,
    });
    expect(c.lookup(req({ sanction: "mg:sx:{other}" }))).toBeUndefined();
    clock.now = 4000;
    expect(c.lookup(req({ sanction: "mg:sx:{me}" }))).toBeUndefined();
  });

  it("is bounded: the oldest entries go first", () => {
    const { cache: c } = cache(2);
    for (const key of ["a", "b", "c"])
      c.remember(req(), { ...limited(5000), denials: [{ key, cost: 1, retryAfterMs: 5000, state }] }, 1000);
    expect(c.size).toBe(2);
    const only = (key: string) => req({ charges: [{ key, limit: minute }] });
    expect(c.lookup(only("a"))).toBeUndefined();
    expect(c.lookup(only("b"))?.kind).toBe("limited");
    expect(c.lookup(only("c"))?.kind).toBe("limited");
  });

  it("size 0 disables it", () => {
    const { cache: c } = cache(0);
    c.remember(req(), limited(2000), 1000);
    expect(c.lookup(req())).toBeUndefined();
  });
});
