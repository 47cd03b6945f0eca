import { describe, expect, it } from "vitest";
import { median, percentile, pooled } from "../../bench/stats.ts";

describe("percentile (nearest rank over ascending values)", () => {
  const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
  it.each([
    { name: "p50 of 1..1000 is the 501st value", values: thousand, p: 50, want: 501 },
    { name: "p99.9 of 1..1000 is the slowest", values: thousand, p: 99.9, want: 1000 },
    { name: "p99 of 1..1000 is the 991st value", values: thousand, p: 99, want: 991 },
    { name: "p100 stays on the last value", values: [1, 2, 3], p: 100, want: 3 },
    { name: "one value is every percentile", values: [7], p: 99.9, want: 7 },
    { name: "no values give NaN", values: [], p: 50, want: Number.NaN },
  ])("$name", ({ values, p, want }) => {
    expect(percentile(values, p)).toBe(want);
  });
});

describe("pooled", () => {
  it("merges rounds into one ascending list, keeping duplicates", () => {
    expect(pooled([[1, 5, 9], [2, 5], []])).toEqual([1, 2, 5, 5, 9]);
  });

  it("reads a pause that held 12 of 10 000 calls in two of three rounds as the rounds' median p99.9, not as the run's", () => {
    const quiet = Array.from({ length: 10_000 }, () => 1);
    const paused = [...Array.from({ length: 9_988 }, () => 1), ...Array.from({ length: 12 }, () => 10)];
    const rounds = [paused, quiet, paused];
    expect(median(rounds.map((r) => percentile(r, 99.9)))).toBe(10);
    expect(percentile(pooled(rounds), 99.9)).toBe(1);
  });

  it("keeps a pause in the run's p99.9 once it holds more than one call in a thousand of the run", () => {
    const quiet = Array.from({ length: 10_000 }, () => 1);
    const paused = [...Array.from({ length: 9_984 }, () => 1), ...Array.from({ length: 16 }, () => 10)];
    expect(percentile(pooled([paused, quiet, paused]), 99.9)).toBe(10);
  });
});
