import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LocalLimiter } from "../../../src/adapters/limiter/local-limiter.ts";
import type { LimitCharge, LimitState, LimitVerdict } from "../../../src/core/limit/limiter-port.ts";
import type { LimitSpec } from "../../../src/core/policy/types.ts";

const T0 = Date.parse("2026-11-01T00:00:00Z");

function limit(name: string, requests: number, periodMs: number, burst = requests): LimitSpec {
  return { name, requests, periodMs, burst, by: { kind: "identity" } };
}

const MINUTE = limit("minute", 5, 60_000); // one every 12 s
const PAIR = limit("pair", 2, 60_000); // one every 30 s

function at(key: string, spec: LimitSpec): LimitCharge {
  return { key, limit: spec };
}

// A limiter on a clock the test moves by hand.
function fakeClock(options: { maxKeys?: number; share?: number } = {}) {
  const clock = { now: T0 };
  const limiter = new LocalLimiter({ now: () => clock.now, ...options });
  return { clock, limiter };
}

function states(verdict: LimitVerdict): readonly LimitState[] {
  if (verdict.kind === "unavailable") throw new Error("unexpected unavailable verdict");
  return verdict.states;
}

function stateNamed(verdict: LimitVerdict, name: string): LimitState {
  const found = states(verdict).find((s) => s.name === name);
  if (found === undefined) throw new Error(`no state ${name}`);
  return found;
}

describe("LocalLimiter: verdicts and states", () => {
  it("reports quota, window, remaining and reset for an allowed request", () => {
    const { limiter } = fakeClock();
    expect(limiter.chargeNow([at("k", MINUTE)], 1)).toEqual({
      kind: "allowed",
      mode: "local",
      states: [{ name: "minute", quota: 5, windowSeconds: 60, remaining: 4, resetSeconds: 12 }],
    });
  });

  it("limits the request after the burst, with Retry-After from the clock", () => {
    const { clock, limiter } = fakeClock();
    for (let i = 0; i < 5; i++) expect(limiter.chargeNow([at("k", MINUTE)], 1).kind).toBe("allowed");
    clock.now += 4_000;
    expect(limiter.chargeNow([at("k", MINUTE)], 1)).toEqual({
      kind: "limited",
      mode: "local",
      violated: ["minute"],
      retryAfterSeconds: 8,
      // On a 429, t is the time until this request would be admitted.
      states: [{ name: "minute", quota: 5, windowSeconds: 60, remaining: 0, resetSeconds: 8 }],
    });
    clock.now += 7_999;
    expect(limiter.chargeNow([at("k", MINUTE)], 1).kind).toBe("limited");
    clock.now += 1;
    expect(limiter.chargeNow([at("k", MINUTE)], 1)).toMatchObject({ kind: "allowed", states: [{ remaining: 0, resetSeconds: 60 }] });
  });

  it("charge() answers the same verdict as chargeNow(), without a promise", () => {
    const a = fakeClock();
    const b = fakeClock();
    for (let i = 0; i < 7; i++)
      expect(a.limiter.charge({ charges: [at("k", MINUTE)], cost: 1, failClosed: false, penaltyBox: undefined })).toEqual(
        b.limiter.chargeNow([at("k", MINUTE)], 1),
      );
  });

  it("no charges: allowed with no states", () => {
    const { limiter } = fakeClock();
    expect(limiter.chargeNow([], 1)).toEqual({ kind: "allowed", states: [], mode: "local" });
    expect(limiter.size).toBe(0);
  });

  it("different keys are independent", () => {
    const { limiter } = fakeClock();
    for (let i = 0; i < 5; i++) limiter.chargeNow([at("a", MINUTE)], 1);
    expect(limiter.chargeNow([at("a", MINUTE)], 1).kind).toBe("limited");
    expect(limiter.chargeNow([at("b", MINUTE)], 1)).toMatchObject({ kind: "allowed", states: [{ remaining: 4 }] });
  });

  it("charges `cost` units", () => {
    const { limiter } = fakeClock();
    expect(stateNamed(limiter.chargeNow([at("k", MINUTE)], 3), "minute")).toMatchObject({ remaining: 2, resetSeconds: 36 });
    expect(limiter.chargeNow([at("k", MINUTE)], 3)).toMatchObject({ kind: "limited", retryAfterSeconds: 12 });
    expect(limiter.chargeNow([at("k", MINUTE)], 2).kind).toBe("allowed");
  });

  it("a cost above the burst is limited on a fresh key and creates no key", () => {
    const { limiter } = fakeClock();
    expect(limiter.chargeNow([at("k", MINUTE)], 6).kind).toBe("limited");
    expect(limiter.size).toBe(0);
  });
});

describe("LocalLimiter: all or nothing", () => {
  it("one violated limit charges none of the others", () => {
    const { limiter } = fakeClock();
    const both = [at("m", MINUTE), at("p", PAIR)];
    expect(limiter.chargeNow(both, 1).kind).toBe("allowed");
    expect(limiter.chargeNow(both, 1).kind).toBe("allowed");
    // PAIR is exhausted; MINUTE has 3 left and must keep them.
    for (let i = 0; i < 4; i++) {
      const v = limiter.chargeNow(both, 1);
      expect(v).toMatchObject({ kind: "limited", violated: ["pair"], retryAfterSeconds: 30 });
    }
    const alone = limiter.chargeNow([at("m", MINUTE)], 1);
    expect(alone).toMatchObject({ kind: "allowed", states: [{ name: "minute", remaining: 2 }] });
  });

  it("the limited verdict reports the passing limits as they stay, not as if charged", () => {
    const { limiter } = fakeClock();
    const both = [at("m", MINUTE), at("p", PAIR)];
    limiter.chargeNow(both, 1);
    limiter.chargeNow(both, 1);
    const limited = limiter.chargeNow(both, 1);
    expect(stateNamed(limited, "minute")).toEqual({ name: "minute", quota: 5, windowSeconds: 60, remaining: 3, resetSeconds: 24 });
    expect(stateNamed(limited, "pair")).toEqual({ name: "pair", quota: 2, windowSeconds: 60, remaining: 0, resetSeconds: 30 });
    // What it said is what the next request finds.
    expect(stateNamed(limiter.chargeNow([at("m", MINUTE)], 1), "minute").remaining).toBe(2);
  });

  it("several violated limits: all listed, Retry-After is the longest wait", () => {
    const { clock, limiter } = fakeClock();
    const fast = limit("fast", 1, 1_000);
    const slow = limit("slow", 1, 60_000);
    limiter.chargeNow([at("f", fast), at("s", slow)], 1);
    clock.now += 500;
    const v = limiter.chargeNow([at("f", fast), at("s", slow)], 1);
    expect(v).toMatchObject({ kind: "limited", violated: ["fast", "slow"], retryAfterSeconds: 59.5 });
    expect(stateNamed(v, "fast").resetSeconds).toBe(0.5);
    expect(stateNamed(v, "slow").resetSeconds).toBe(59.5);
  });

  it("property: a limited request never changes what any later request sees", () => {
    const specs = [MINUTE, PAIR, limit("tiny", 1, 10_000, 2)];
    const step = fc.record({
      gap: fc.integer({ min: 0, max: 20_000 }),
      keys: fc.subarray([0, 1, 2], { minLength: 1 }),
      cost: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        // Replay: the real limiter vs. one that only ever sees the admitted requests.
        const real = fakeClock();
        const shadow = fakeClock();
        for (const { gap, keys, cost } of steps) {
          real.clock.now += gap;
          shadow.clock.now += gap;
          const charges = keys.map((i) => at(`k${i}`, specs[i]!));
          const v = real.limiter.chargeNow(charges, cost);
          if (v.kind === "allowed") expect(shadow.limiter.chargeNow(charges, cost)).toEqual(v);
        }
        const probe = [0, 1, 2].map((i) => at(`k${i}`, specs[i]!));
        for (const c of probe) expect(real.limiter.chargeNow([c], 1)).toEqual(shadow.limiter.chargeNow([c], 1));
      }),
      { numRuns: 300 },
    );
  });
});

describe("LocalLimiter: share", () => {
  it("admits its share of each limit (floor, at least 1) and reports the scaled quota", () => {
    const { limiter } = fakeClock({ share: 0.5 });
    const ten = limit("ten", 10, 60_000);
    const verdicts = Array.from({ length: 6 }, () => limiter.chargeNow([at("k", ten)], 1));
    expect(verdicts.map((v) => v.kind)).toEqual(["allowed", "allowed", "allowed", "allowed", "allowed", "limited"]);
    expect(states(verdicts[0]!)[0]).toEqual({ name: "ten", quota: 5, windowSeconds: 60, remaining: 4, resetSeconds: 12 });
    expect(verdicts[5]).toMatchObject({ retryAfterSeconds: 12 });
  });

  it("scales the burst separately from the rate", () => {
    const { limiter } = fakeClock({ share: 0.25 });
    const bursty = limit("bursty", 8, 60_000, 20); // → 2 per minute, burst 5
    const admitted = Array.from({ length: 7 }, () => limiter.chargeNow([at("k", bursty)], 1)).filter((v) => v.kind === "allowed");
    expect(admitted).toHaveLength(5);
    expect(states(admitted[0]!)[0]).toMatchObject({ quota: 2, remaining: 4, resetSeconds: 30 });
  });

  it("a tiny share still admits one", () => {
    const { limiter } = fakeClock({ share: 0.01 });
    const v = limiter.chargeNow([at("k", MINUTE)], 1);
    expect(v).toMatchObject({ kind: "allowed", states: [{ quota: 1, remaining: 0, resetSeconds: 60 }] });
    expect(limiter.chargeNow([at("k", MINUTE)], 1).kind).toBe("limited");
  });
});

describe("LocalLimiter: maxKeys", () => {
  it("evicts the least recently charged key first", () => {
    const { limiter } = fakeClock({ maxKeys: 2 });
    const hit = (key: string) => limiter.chargeNow([at(key, MINUTE)], 1);
    hit("a");
    hit("b");
    hit("a"); // a is now the most recently charged
    hit("c"); // evicts b
    expect(limiter.size).toBe(2);
    expect(stateNamed(hit("a"), "minute").remaining).toBe(2); // a kept its three charges
    expect(stateNamed(hit("b"), "minute").remaining).toBe(4); // b starts fresh
  });

  it("a limited request does not refresh a key's place", () => {
    const { limiter } = fakeClock({ maxKeys: 2 });
    const one = limit("one", 1, 60_000);
    limiter.chargeNow([at("a", one)], 1);
    limiter.chargeNow([at("b", one)], 1);
    expect(limiter.chargeNow([at("a", one)], 1).kind).toBe("limited");
    limiter.chargeNow([at("c", one)], 1); // evicts a: its limited retry did not count as use
    expect(limiter.chargeNow([at("a", one)], 1).kind).toBe("allowed");
    expect(limiter.chargeNow([at("c", one)], 1).kind).toBe("limited");
  });

  it("property: the number of keys never exceeds maxKeys", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(
          fc.record({
            keys: fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 3 }),
            gap: fc.integer({ min: 0, max: 5_000 }),
          }),
          { maxLength: 200 },
        ),
        (maxKeys, steps) => {
          const { clock, limiter } = fakeClock({ maxKeys });
          const stored = new Set<number>(); // keys of admitted requests: only those are kept
          for (const { keys, gap } of steps) {
            clock.now += gap;
            const v = limiter.chargeNow(
              keys.map((k) => at(`k${k}`, MINUTE)),
              1,
            );
            if (v.kind === "allowed") keys.forEach((k) => stored.add(k));
            expect(limiter.size).toBeLessThanOrEqual(maxKeys);
          }
          expect(limiter.size).toBe(Math.min(maxKeys, stored.size));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("defaults to 100 000 keys", () => {
    const { limiter } = fakeClock();
    for (let i = 0; i < 100_010; i++) limiter.chargeNow([at(`k${i}`, MINUTE)], 1);
    expect(limiter.size).toBe(100_000);
  });
});
