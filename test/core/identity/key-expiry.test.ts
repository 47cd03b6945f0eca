import { describe, expect, it } from "vitest";
import { parseExpiry } from "../../../src/core/identity/key-expiry.ts";
import { T0 } from "./helpers.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("parseExpiry", () => {
  it.each([
    ["90m", T0 + 90 * MINUTE],
    ["12h", T0 + 12 * HOUR],
    ["30d", T0 + 30 * DAY],
    ["8w", T0 + 56 * DAY],
    [" 30d ", T0 + 30 * DAY],
    ["2027-01-31", Date.UTC(2027, 0, 31)],
    ["2027-01-31T12:00:00Z", Date.UTC(2027, 0, 31, 12)],
    ["2027-01-31T12:00:00+02:00", Date.UTC(2027, 0, 31, 10)],
  ])("reads %s", (text, expected) => {
    expect(parseExpiry(text, T0)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["an empty value", ""],
    ["a unit-less number", "30"],
    ["seconds", "30s"],
    ["a zero duration", "0d"],
    ["a negative duration", "-1d"],
    ["a compound duration", "1d12h"],
    ["upper-case units", "30D"],
    ["a date in the past", "2020-01-01"],
    ["now itself", new Date(T0).toISOString()],
    ["an impossible date", "2027-02-30"],
    ["a date-time without a zone", "2027-01-31T12:00:00"],
    ["a lifetime over 100 years", "5300w"],
    ["words", "next year"],
  ])("rejects %s", (_name, text) => {
    expect(parseExpiry(text, T0).ok).toBe(false);
  });
});
