import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GRID } from "../../../src/core/limit/gcra.ts";
import { blockLength, blockRemaining, recordViolation, type PenaltyState } from "../../../src/core/limit/penalty-box.ts";
import type { PenaltyBoxSpec } from "../../../src/core/policy/types.ts";

// Times are grid steps (1/1024 ms); `ms` converts for readability.
const ms = (n: number) => n * GRID;
const T0 = ms(1_795_000_000_000);
const SPEC: PenaltyBoxSpec = { violations: 3, withinMs: 60_000, blockMs: 60_000, maxBlockMs: 300_000 };

// Records one violation at each given offset (ms after T0) and returns every outcome.
function violations(offsets: readonly number[], spec = SPEC, start?: PenaltyState) {
  let state = start;
  return offsets.map((offset) => {
    const outcome = recordViolation(spec, state, T0 + ms(offset));
    state = outcome.state;
    return outcome;
  });
}

describe("penalty box: blocking", () => {
  it("blocks on the Nth violation within the window, for `block`", () => {
    const outcomes = violations([0, 10_000, 20_000]);
    expect(outcomes.map((o) => o.blockSteps)).toEqual([0, 0, ms(60_000)]);
    expect(outcomes[2]?.state).toEqual({ count: 0, windowEnd: 0, blockedUntil: T0 + ms(80_000), level: 1 });
  });

  it("counts the window from the first violation: the third one after it closes starts over", () => {
    const outcomes = violations([0, 30_000, 60_000, 70_000, 80_000]);
    expect(outcomes.map((o) => o.blockSteps)).toEqual([0, 0, 0, 0, ms(60_000)]);
  });

  it.each<[string, number, number]>([
    ["first block", 1, 60_000],
    ["second in a row doubles", 2, 120_000],
    ["third doubles again", 3, 240_000],
    ["fourth is capped at maxBlock", 4, 300_000],
    ["and stays there", 40, 300_000],
  ])("block length: %s", (_name, level, expected) => {
    expect(blockLength(SPEC, level)).toBe(ms(expected));
  });

  it("escalates a block that starts within maxBlock of the previous one's end", () => {
    const first = violations([0, 1, 2]);
    const end = 2 + 60_000;
    const second = violations([end + 1, end + 2, end + 3], SPEC, first[2]?.state);
    expect(second[2]?.blockSteps).toBe(ms(120_000));
  });

  it("starts over at `block` after maxBlock of good behaviour", () => {
    const first = violations([0, 1, 2, 60_003, 60_004, 60_005]);
    expect(first[5]?.blockSteps).toBe(ms(120_000));
    const freeAt = 60_005 + 120_000;
    const later = violations([freeAt + 300_000, freeAt + 300_001, freeAt + 300_002], SPEC, first[5]?.state);
    expect(later[2]?.blockSteps).toBe(ms(60_000));
  });

  it("blockRemaining counts down to zero at the block's end", () => {
    const state = violations([0, 0, 0])[2]?.state;
    expect(blockRemaining(state, T0)).toBe(ms(60_000));
    expect(blockRemaining(state, T0 + ms(59_999))).toBe(ms(1));
    expect(blockRemaining(state, T0 + ms(60_000))).toBe(0);
    expect(blockRemaining(undefined, T0)).toBe(0);
  });
});

describe("penalty box: keepUntil", () => {
  it("keeps a counting window until it closes, and a level until maxBlock after its block", () => {
    expect(violations([0])[0]?.keepUntil).toBe(T0 + ms(60_000));
    expect(violations([0, 0, 0])[2]?.keepUntil).toBe(T0 + ms(60_000 + 300_000));
  });

  it("property: once keepUntil has passed, the state acts exactly like no state", () => {
    const spec = fc.record({
      violations: fc.integer({ min: 1, max: 4 }),
      withinMs: fc.integer({ min: 1, max: 1000 }),
      blockMs: fc.integer({ min: 1, max: 1000 }),
      extra: fc.integer({ min: 0, max: 3000 }),
    });
    fc.assert(
      fc.property(
        spec,
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 100 }),
        (s, gaps, after) => {
          const box = { violations: s.violations, withinMs: s.withinMs, blockMs: s.blockMs, maxBlockMs: s.blockMs + s.extra };
          let t = 0;
          const outcomes = violations(
            gaps.map((g) => (t += g)),
            box,
          );
          const last = outcomes.at(-1);
          if (last === undefined) return;
          const later = last.keepUntil + ms(after);
          expect(recordViolation(box, last.state, later)).toEqual(recordViolation(box, undefined, later));
          expect(blockRemaining(last.state, later)).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
