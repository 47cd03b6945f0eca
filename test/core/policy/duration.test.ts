import { describe, expect, it } from "vitest";
import { parseDuration } from "../../../src/core/policy/duration.ts";

describe("parseDuration", () => {
  it.each<[string, number]>([
    ["1ms", 1],
    ["500ms", 500],
    ["1s", 1_000],
    ["1m", 60_000],
    ["1h", 3_600_000],
    ["24h", 86_400_000],
    ["1d", 86_400_000],
    ["1h30m", 5_400_000],
    ["30d", 2_592_000_000],
  ])("%s = %d ms", (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, value: ms });
  });

  it.each(["", "0s", "0ms", "-1s", "1.5s", "1", "s", "1 s", "1w", "31d", "720h1ms", "1S", "9".repeat(40) + "s"])("rejects %j", (text) => {
    expect(parseDuration(text).ok).toBe(false);
  });
});
