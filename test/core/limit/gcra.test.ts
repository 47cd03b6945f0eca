import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emissionIntervalMs, gcra, type GcraOutcome } from "../../../src/core/limit/gcra.ts";
import type { LimitSpec } from "../../../src/core/policy/types.ts";

const T0 = Date.parse("2026-11-01T00:00:00Z"); // epoch-sized times, where float rounding bites

function limit(requests: number, periodMs: number, burst = requests): LimitSpec {
  return { name: "l", requests, periodMs, burst, by: { kind: "identity" } };
}

// Sends `times` requests of `cost` at `now`, committing each admitted one; returns the outcomes
// and the final TAT.
function burstAt(
  spec: LimitSpec,
  tat: number | undefined,
  now: number,
  times: number,
  cost = 1,
): { outcomes: GcraOutcome[]; tat: number | undefined } {
  const outcomes: GcraOutcome[] = [];
  let state = tat;
  for (let i = 0; i < times; i++) {
    const o = gcra(spec, state, now, cost);
    outcomes.push(o);
    if (o.allowed) state = o.tat;
  }
  return { outcomes, tat: state };
}

const FIVE_PER_MINUTE = limit(5, 60_000); // emission interval 12 s

describe("gcra: table", () => {
  it("a fresh key is admitted with burst-1 remaining", () => {
    expect(gcra(FIVE_PER_MINUTE, undefined, T0, 1)).toEqual({
      allowed: true,
      tat: T0 + 12_000,
      remaining: 4,
      resetMs: 12_000,
      retryAfterMs: 0,
    });
  });

  it("a stale TAT (in the past) is the same as a fresh key", () => {
    expect(gcra(FIVE_PER_MINUTE, T0 - 1, T0, 1)).toEqual(gcra(FIVE_PER_MINUTE, undefined, T0, 1));
  });

  it("admits exactly `burst` at one instant, counting remaining down, then denies", () => {
    const { outcomes, tat } = burstAt(FIVE_PER_MINUTE, undefined, T0, 7);
    expect(outcomes.map((o) => o.allowed)).toEqual([true, true, true, true, true, false, false]);
    expect(outcomes.slice(0, 5).map((o) => o.remaining)).toEqual([4, 3, 2, 1, 0]);
    expect(outcomes.slice(0, 5).map((o) => o.resetMs)).toEqual([12_000, 24_000, 36_000, 48_000, 60_000]);
    expect(tat).toBe(T0 + 60_000);
    expect(outcomes[5]).toEqual({ allowed: false, tat: T0 + 60_000, remaining: 0, resetMs: 60_000, retryAfterMs: 12_000 });
  });

  it("refills one request after one emission interval, not a millisecond earlier", () => {
    const { tat } = burstAt(FIVE_PER_MINUTE, undefined, T0, 5);
    const early = gcra(FIVE_PER_MINUTE, tat, T0 + 11_999, 1);
    expect(early).toMatchObject({ allowed: false, retryAfterMs: 1, resetMs: 60_000 - 11_999, tat });
    const onTime = gcra(FIVE_PER_MINUTE, tat, T0 + 12_000, 1);
    expect(onTime).toEqual({ allowed: true, tat: T0 + 72_000, remaining: 0, resetMs: 60_000, retryAfterMs: 0 });
    expect(gcra(FIVE_PER_MINUTE, onTime.tat, T0 + 12_000, 1).allowed).toBe(false);
  });

  it("after idling burst·interval the whole burst is back", () => {
    const { tat } = burstAt(FIVE_PER_MINUTE, undefined, T0, 5);
    const again = burstAt(FIVE_PER_MINUTE, tat, T0 + 60_000, 6);
    expect(again.outcomes.map((o) => o.allowed)).toEqual([true, true, true, true, true, false]);
  });

  it("a cost of 3 takes three emission intervals and leaves burst-3", () => {
    const o = gcra(FIVE_PER_MINUTE, undefined, T0, 3);
    expect(o).toEqual({ allowed: true, tat: T0 + 36_000, remaining: 2, resetMs: 36_000, retryAfterMs: 0 });
    const second = gcra(FIVE_PER_MINUTE, o.tat, T0, 3);
    // Two units are left, so cost 3 is denied; it fits once one more interval has passed.
    expect(second).toEqual({ allowed: false, tat: o.tat, remaining: 2, resetMs: 36_000, retryAfterMs: 12_000 });
    expect(gcra(FIVE_PER_MINUTE, o.tat, T0 + 12_000, 3).allowed).toBe(true);
    expect(gcra(FIVE_PER_MINUTE, o.tat, T0, 2)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it.each([6, 7, 100])("a cost of %i, larger than the burst of 5, is always denied", (cost) => {
    expect(gcra(FIVE_PER_MINUTE, undefined, T0, cost).allowed).toBe(false);
    expect(gcra(FIVE_PER_MINUTE, T0 - 10 * 86_400_000, T0, cost).allowed).toBe(false);
    expect(gcra(FIVE_PER_MINUTE, undefined, T0 + 365 * 86_400_000, cost).allowed).toBe(false);
  });

  it("a denied request leaves the TAT exactly as given", () => {
    const tat = T0 + 60_000;
    const o = gcra(FIVE_PER_MINUTE, tat, T0 + 5, 1);
    expect(o.allowed).toBe(false);
    expect(o.tat).toBe(tat);
    expect(o.retryAfterMs).toBe(12_000 - 5);
    expect(o.resetMs).toBe(60_000 - 5);
  });

  it("a burst smaller than the rate: 10/s with burst 2", () => {
    const spec = limit(10, 1000, 2);
    const { outcomes, tat } = burstAt(spec, undefined, T0, 3);
    expect(outcomes.map((o) => [o.allowed, o.remaining, o.resetMs, o.retryAfterMs])).toEqual([
      [true, 1, 100, 0],
      [true, 0, 200, 0],
      [false, 0, 200, 100],
    ]);
    expect(gcra(spec, tat, T0 + 99, 1).allowed).toBe(false);
    expect(gcra(spec, tat, T0 + 100, 1).allowed).toBe(true);
  });

  it("a burst larger than the rate: 1/min with burst 3", () => {
    const spec = limit(1, 60_000, 3);
    const { outcomes } = burstAt(spec, undefined, T0, 4);
    expect(outcomes.map((o) => o.allowed)).toEqual([true, true, true, false]);
    expect(outcomes[3]?.retryAfterMs).toBe(60_000);
    expect(outcomes[3]?.resetMs).toBe(180_000);
  });

  it("sub-millisecond intervals: 4000/s admits 4000 at once and one more 0.25 ms later", () => {
    const spec = limit(4000, 1000);
    expect(emissionIntervalMs(spec)).toBe(0.25);
    const { outcomes, tat } = burstAt(spec, undefined, T0, 4001);
    expect(outcomes.filter((o) => o.allowed)).toHaveLength(4000);
    expect(gcra(spec, tat, T0 + 0.25, 1).allowed).toBe(true);
  });

  // Regression: with plain float sums a burst of N at an epoch-sized instant admitted N-1 for
  // periods that do not divide evenly (49 per day, 33 per minute, …).
  it.each<[number, number]>([
    [49, 86_400_000],
    [49, 500],
    [33, 60_000],
    [33, 1000],
    [7, 60_000],
    [3, 1000],
    [1200, 60_000],
    [999, 3_600_000],
  ])("a burst of %i per %i ms admits exactly that many at once", (requests, periodMs) => {
    const spec = limit(requests, periodMs);
    for (const now of [0, 1_234_567, T0, T0 + 0.5]) {
      const { outcomes } = burstAt(spec, undefined, now, requests + 1);
      expect(outcomes.filter((o) => o.allowed)).toHaveLength(requests);
      expect(outcomes[requests - 1]?.remaining).toBe(0);
      expect(outcomes[requests]?.allowed).toBe(false);
    }
  });

  it("an emission interval that is not a whole number of grid steps errs on the slow side, by under 1 µs", () => {
    for (const [requests, periodMs] of [
      [3, 1000],
      [7, 60_000],
      [49, 86_400_000],
    ] as const) {
      const exact = periodMs / requests;
      const used = emissionIntervalMs(limit(requests, periodMs));
      expect(used).toBeGreaterThanOrEqual(exact);
      expect(used - exact).toBeLessThan(0.001);
    }
    expect(emissionIntervalMs(FIVE_PER_MINUTE)).toBe(12_000);
  });
});

// An exact reference GCRA in rational arithmetic: time in ticks of 1/requests ms, so one
// emission interval is exactly `periodMs` ticks.
function referenceGcra(spec: LimitSpec) {
  const r = BigInt(spec.requests);
  const interval = BigInt(spec.periodMs);
  const tolerance = interval * BigInt(spec.burst);
  let tat: bigint | undefined;
  return (nowMs: number, cost: number) => {
    const now = BigInt(nowMs) * r;
    const base = tat === undefined || tat < now ? now : tat;
    const candidate = base + interval * BigInt(cost);
    const allowed = candidate - now <= tolerance;
    if (allowed) tat = candidate;
    const ahead = allowed ? candidate - now : base - now;
    const remaining = (tolerance - ahead) / interval; // BigInt division floors for non-negatives
    return { allowed, remaining: Number(remaining < 0n ? 0n : remaining), resetTicks: Number(ahead), spec };
  };
}

// Limits whose emission interval p/2^a ms lies on the implementation's 1/1024 ms grid.
const gridLimit = fc
  .record({
    a: fc.integer({ min: 0, max: 10 }),
    d: fc.integer({ min: 1, max: 40 }),
    p: fc.integer({ min: 1, max: 100_000 }),
    burst: fc.integer({ min: 1, max: 60 }),
  })
  .map(({ a, d, p, burst }) => limit(2 ** a * d, d * p, burst));

// Any limit the policy validator could produce (small enough to simulate).
const anyLimit = fc
  .record({
    requests: fc.integer({ min: 1, max: 2000 }),
    periodMs: fc.integer({ min: 1, max: 100_000_000 }),
    burst: fc.integer({ min: 1, max: 60 }),
  })
  .map(({ requests, periodMs, burst }) => limit(requests, periodMs, burst));

// Integer-millisecond request times with gaps around the emission interval, and costs 1–3.
function traffic(spec: LimitSpec) {
  const interval = spec.periodMs / spec.requests;
  const maxGap = Math.max(1, Math.ceil(2 * interval));
  return fc.record({
    start: fc.integer({ min: 0, max: 10_000_000 }),
    steps: fc.array(
      fc.record({
        gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxGap }), fc.constant(Math.ceil(interval))),
        cost: fc.integer({ min: 1, max: 3 }),
      }),
      { minLength: 1, maxLength: 120 },
    ),
  });
}

describe("gcra: properties", () => {
  it("matches an exact rational GCRA whenever the emission interval is on the grid", () => {
    fc.assert(
      fc.property(
        gridLimit.chain((spec) => fc.tuple(fc.constant(spec), traffic(spec))),
        ([spec, { start, steps }]) => {
          const reference = referenceGcra(spec);
          let tat: number | undefined;
          let now = T0 + start;
          for (const { gap, cost } of steps) {
            now += gap;
            const got = gcra(spec, tat, now, cost);
            const want = reference(now, cost);
            expect(got.allowed).toBe(want.allowed);
            expect(got.remaining).toBe(want.remaining);
            expect(got.resetMs).toBe(want.resetTicks / spec.requests);
            if (got.allowed) tat = got.tat;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never admits more than burst + floor((t - t0) / interval) units by any time t", () => {
    fc.assert(
      fc.property(
        anyLimit.chain((spec) => fc.tuple(fc.constant(spec), traffic(spec))),
        ([spec, { start, steps }]) => {
          let tat: number | undefined;
          let now = T0 + start;
          let t0: number | undefined;
          let admitted = 0;
          for (const { gap, cost } of steps) {
            now += gap;
            const o = gcra(spec, tat, now, cost);
            if (!o.allowed) continue;
            t0 ??= now; // the first admitted request
            tat = o.tat;
            admitted += cost;
            // Exact integer bound: floor((t - t0) * requests / periodMs).
            const bound = spec.burst + Math.floor(((now - t0) * spec.requests) / spec.periodMs);
            expect(admitted).toBeLessThanOrEqual(bound);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("a denied request changes nothing: the same TAT comes back and the next decision is unaffected", () => {
    fc.assert(
      fc.property(
        anyLimit,
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: -1e8, max: 1e8 }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 0, max: 1e8 }),
        (spec, offset, tatOffset, cost, later) => {
          const now = T0 + offset;
          const tat = now + tatOffset;
          const o = gcra(spec, tat, now, cost);
          if (o.allowed) return;
          expect(o.tat).toBe(tat);
          expect(o.retryAfterMs).toBeGreaterThan(0);
          expect(gcra(spec, o.tat, now + later, 1)).toEqual(gcra(spec, tat, now + later, 1));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("after idling burst·interval from any state, exactly `burst` are admitted at once", () => {
    fc.assert(
      fc.property(
        anyLimit.chain((spec) => fc.tuple(fc.constant(spec), traffic(spec))),
        ([spec, { start, steps }]) => {
          let tat: number | undefined;
          let now = T0 + start;
          for (const { gap, cost } of steps) {
            now += gap;
            const o = gcra(spec, tat, now, cost);
            if (o.allowed) tat = o.tat;
          }
          const idle = now + spec.burst * emissionIntervalMs(spec);
          const { outcomes } = burstAt(spec, tat, idle, spec.burst + 1);
          expect(outcomes.filter((o) => o.allowed)).toHaveLength(spec.burst);
          expect(outcomes[spec.burst]?.allowed).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("`remaining` is exactly how many more are admitted at the same instant", () => {
    fc.assert(
      fc.property(
        anyLimit.chain((spec) => fc.tuple(fc.constant(spec), traffic(spec))),
        ([spec, { start, steps }]) => {
          let tat: number | undefined;
          let now = T0 + start;
          let last: GcraOutcome | undefined;
          for (const { gap, cost } of steps) {
            now += gap;
            const o = gcra(spec, tat, now, cost);
            if (o.allowed) {
              tat = o.tat;
              last = o;
            }
          }
          if (last === undefined || tat === undefined) return;
          const probe = gcra(spec, tat, now, 1);
          const expected = probe.allowed ? probe.remaining + 1 : 0;
          const { outcomes } = burstAt(spec, tat, now, expected + 1);
          expect(outcomes.filter((o) => o.allowed)).toHaveLength(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("retryAfterMs is exact: denied one grid step earlier, admitted then", () => {
    fc.assert(
      fc.property(
        anyLimit,
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 0, max: 1e8 }),
        fc.integer({ min: 1, max: 3 }),
        (spec, offset, ahead, cost) => {
          const now = T0 + offset;
          const o = gcra(spec, now + ahead, now, cost);
          if (o.allowed || cost > spec.burst) return;
          expect(gcra(spec, now + ahead, now + o.retryAfterMs, cost).allowed).toBe(true);
          expect(gcra(spec, now + ahead, now + o.retryAfterMs - 1 / 1024, cost).allowed).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("resetMs is when the quota is full again: then `burst` are admitted", () => {
    fc.assert(
      fc.property(anyLimit, fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 5 }), (spec, offset, n) => {
        const now = T0 + offset;
        const { outcomes, tat } = burstAt(spec, undefined, now, n);
        const last = outcomes[outcomes.length - 1]!;
        const full = burstAt(spec, tat, now + last.resetMs, spec.burst + 1);
        expect(full.outcomes.filter((o) => o.allowed)).toHaveLength(spec.burst);
        if (last.resetMs > 0) {
          const before = burstAt(spec, tat, now + last.resetMs - 1 / 1024, spec.burst);
          expect(before.outcomes.filter((o) => o.allowed).length).toBeLessThan(spec.burst);
        }
      }),
      { numRuns: 500 },
    );
  });
});
