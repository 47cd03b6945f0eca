import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { claimCooldown } from "../../../src/core/anomaly/cooldown.ts";
import { addCapped } from "../../../src/core/anomaly/distinct.ts";
import { probingOver, sharePermilleOf, stepProbing } from "../../../src/core/anomaly/probing.ts";
import { decayFactor, stepVolume, volumeThreshold, type VolumeParams, type VolumeState } from "../../../src/core/anomaly/volume.ts";
import { windowIndex, windowStart } from "../../../src/core/anomaly/window.ts";

const P: VolumeParams = { baselineWindows: 10, factorPermille: 5000, minRequests: 40, forgetWindows: 100 };
const S = (bucket: number, count: number, baselineMilli: number, windows: number): VolumeState => ({
  bucket,
  count,
  baselineMilli,
  windows,
});

describe("volume", () => {
  it.each([
    ["a first decision starts a window with no baseline", undefined, 7, S(7, 1, 0, 0), 40],
    ["a decision in the same window counts", S(7, 5, 6000, 3), 7, S(7, 6, 6000, 3), 40],
    ["a late decision counts in the current window", S(7, 5, 6000, 3), 6, S(7, 6, 6000, 3), 40],
    ["the first finished window seeds the baseline", S(7, 12, 0, 0), 8, S(8, 1, 12_000, 1), 61],
    ["the next ones average in (mean of two windows)", S(8, 6, 12_000, 1), 9, S(9, 1, 9000, 2), 46],
    ["after N windows the weight is 1/N", S(9, 100, 10_000, 10), 10, S(10, 1, 19_000, 10), 96],
    ["a silent window in between decays the baseline", S(9, 100, 10_000, 10), 11, S(11, 1, 17_100, 10), 86],
    ["a baseline silent for longer than forgetWindows starts over", S(9, 100, 10_000, 10), 110, S(110, 1, 0, 0), 40],
  ])("%s", (_name, state, bucket, next, threshold) => {
    expect(stepVolume(state, bucket, P)).toEqual({ state: next, threshold });
  });

  it.each([
    [0, 40],
    [7_999, 40],
    [8_000, 41],
    [20_000, 101],
  ])("threshold over a baseline of %i thousandths is %i", (baselineMilli, threshold) => {
    expect(volumeThreshold(baselineMilli, P)).toBe(threshold);
  });

  it("decays by squaring to what repeated multiplication gives, within rounding", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 1000 }), fc.integer({ min: 0, max: 5000 }), (n, k) => {
        let product = 1;
        for (let i = 0; i < k; i += 1) product *= (n - 1) / n;
        expect(decayFactor(n, k)).toBeCloseTo(product, 9);
      }),
    );
  });
});

describe("probing", () => {
  it.each([
    ["a bad decision counts in both", undefined, "decision", true, { total: 1, bad: 1 }],
    ["a good decision counts in total", { total: 3, bad: 1 }, "decision", false, { total: 4, bad: 1 }],
    ["a model error adds to bad only", { total: 3, bad: 1 }, "outcome", true, { total: 3, bad: 2 }],
  ] as const)("%s", (_name, counts, kind, bad, next) => {
    expect(stepProbing(counts, kind, bad)).toEqual(next);
  });

  it.each([
    [{ total: 19, bad: 19 }, false, "below the minimum count"],
    [{ total: 20, bad: 9 }, false, "45 %"],
    [{ total: 20, bad: 10 }, true, "exactly the share"],
    [{ total: 40, bad: 30 }, true, "75 %"],
  ])("%j over 20 at 50 %%: %s", (counts, over) => {
    expect(probingOver(counts, { minRequests: 20, sharePermille: 500 })).toBe(over);
  });

  it("reports the share in whole thousandths", () => {
    expect(sharePermilleOf({ total: 3, bad: 2 })).toBe(666);
    expect(sharePermilleOf({ total: 0, bad: 0 })).toBe(0);
  });
});

describe("distinct members and cooldowns", () => {
  it.each([
    [[], "a", 3, ["a"]],
    [["a"], "a", 3, ["a"]],
    [["a", "b"], "c", 3, ["a", "b", "c"]],
    [["a", "b", "c"], "d", 3, ["a", "b", "c"]],
  ])("%j + %s capped at %i = %j", (members, member, cap, next) => {
    expect([...addCapped(new Set(members), member, cap)]).toEqual(next);
  });

  it.each([
    ["nothing claimed yet", undefined, 1000, { claimed: true, until: 1600 }],
    ["within the cooldown", 1600, 1599, { claimed: false, until: 1600 }],
    ["the cooldown has ended", 1600, 1600, { claimed: true, until: 2200 }],
  ])("%s", (_name, until, time, outcome) => {
    expect(claimCooldown(until, time, 600)).toEqual(outcome);
  });

  it("aligns windows to the epoch", () => {
    const t = Date.parse("2026-11-01T10:07:31Z");
    expect(windowStart(windowIndex(t, 60_000), 60_000)).toBe(Date.parse("2026-11-01T10:07:00Z"));
    expect(windowStart(windowIndex(t, 600_000), 600_000)).toBe(Date.parse("2026-11-01T10:00:00Z"));
  });
});
