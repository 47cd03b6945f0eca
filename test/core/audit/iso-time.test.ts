import { describe, expect, it } from "vitest";
import { isoTime } from "../../../src/core/audit/event.ts";

// isoTime formats by arithmetic in 1970–9999 and must give exactly what Date#toISOString gives.
const cases: readonly [string, number][] = [
  ["the epoch", 0],
  ["the last millisecond of a day rolls into the next", Date.UTC(2026, 11, 31, 23, 59, 59, 999)],
  ["the first millisecond of a year", Date.UTC(2027, 0, 1, 0, 0, 0, 0)],
  ["29 February of a leap year", Date.UTC(2024, 1, 29, 12, 34, 56, 789)],
  ["1 March after a leap day", Date.UTC(2024, 2, 1, 0, 0, 0, 1)],
  ["28 February of a common year, last millisecond", Date.UTC(2023, 1, 28, 23, 59, 59, 999)],
  ["2000, a leap year divisible by 400", Date.UTC(2000, 1, 29, 0, 0, 0, 0)],
  ["2100, not a leap year", Date.UTC(2100, 1, 28, 23, 59, 59, 999)],
  ["1 March 2100", Date.UTC(2100, 2, 1, 0, 0, 0, 0)],
  ["a fraction of a millisecond is dropped", Date.UTC(2026, 5, 15, 8, 9, 10, 11) + 0.999],
  ["the last millisecond of year 9999", Date.UTC(9999, 11, 31, 23, 59, 59, 999)],
  ["year 10000 goes to Date (six-digit year)", Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 1],
  ["before the epoch goes to Date", -1],
  ["a year before 1000 (zero-padded) goes to Date", Date.UTC(-1, 0, 1)],
  ["negative zero", -0],
];

describe("isoTime", () => {
  it.each(cases)("%s", (_name, ms) => {
    expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it("agrees with Date on every day boundary from 1970 to 2200 and a minute either side", () => {
    const mismatches: number[] = [];
    for (let day = 0; day < 84_000; day += 1) {
      for (const offset of [-60_001, -1, 0, 1, 60_001]) {
        const ms = day * 86_400_000 + offset;
        if (ms >= 0 && isoTime(ms) !== new Date(ms).toISOString()) mismatches.push(ms);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("throws the RangeError Date throws for NaN (a clock bug, not an audit line)", () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});
