import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rateLimitHeader, rateLimitPolicyHeader, retryAfterSeconds } from "../../../src/core/limit/ratelimit-headers.ts";
import type { LimitState } from "../../../src/core/limit/limiter-port.ts";
import { param, parseSfList, type SfItem } from "./structured-field.ts";

function state(name: string, fields: Partial<Omit<LimitState, "name">> = {}): LimitState {
  return { name, quota: 5, windowSeconds: 60, remaining: 4, resetSeconds: 12, ...fields };
}

function integerParam(item: SfItem, key: string): number {
  const value = param(item, key);
  if (value?.type !== "integer") throw new Error(`${key} is ${JSON.stringify(value)}, not an Integer`);
  return value.value;
}

function nameOf(item: SfItem): string {
  if (item.value.type !== "string") throw new Error(`the policy name is a ${item.value.type}, not a String`);
  return item.value.value;
}

describe("RateLimit-Policy and RateLimit: table", () => {
  it.each<[string, LimitState[], string, string]>([
    ["the README example", [state("minute")], '"minute";q=5;w=60', '"minute";r=4;t=12'],
    [
      "two limits, in order, comma-separated",
      [
        state("burst", { quota: 20, windowSeconds: 1, remaining: 0, resetSeconds: 0.05 }),
        state("minute", { quota: 120, remaining: 119, resetSeconds: 0.5 }),
      ],
      '"burst";q=20;w=1, "minute";q=120;w=60',
      '"burst";r=0;t=1, "minute";r=119;t=1',
    ],
    ["a sub-second window is reported as 1 s", [state("fast", { windowSeconds: 0.5 })], '"fast";q=5;w=1', '"fast";r=4;t=12'],
    ["a fractional window rounds up", [state("odd", { windowSeconds: 5400.2 })], '"odd";q=5;w=5401', '"odd";r=4;t=12'],
    ["remaining rounds down, reset rounds up", [state("m", { remaining: 2.9, resetSeconds: 11.001 })], '"m";q=5;w=60', '"m";r=2;t=12'],
    ["a negative remaining or reset becomes 0", [state("m", { remaining: -1, resetSeconds: -3 })], '"m";q=5;w=60', '"m";r=0;t=0'],
    ["a full quota resets now", [state("m", { remaining: 5, resetSeconds: 0 })], '"m";q=5;w=60', '"m";r=5;t=0'],
    ["no limits, empty fields", [], "", ""],
  ])("%s", (_name, states, policy, limit) => {
    expect(rateLimitPolicyHeader(states)).toBe(policy);
    expect(rateLimitHeader(states)).toBe(limit);
    expect(parseSfList(policy)).toHaveLength(states.length);
    expect(parseSfList(limit)).toHaveLength(states.length);
  });

  it.each<[string, string, string]>([
    ["a double quote", 'say "hi"', '"say \\"hi\\""'],
    ["a backslash", "a\\b", '"a\\\\b"'],
    ["both", '\\"', '"\\\\\\""'],
  ])("escapes %s in a name", (_desc, name, encoded) => {
    const header = rateLimitPolicyHeader([state(name)]);
    expect(header.startsWith(`${encoded};`)).toBe(true);
    const [item] = parseSfList(header);
    expect(nameOf(item!)).toBe(name);
    expect(nameOf(parseSfList(rateLimitHeader([state(name)]))[0]!)).toBe(name);
  });

  it("drops characters a String cannot carry (controls, non-ASCII) instead of breaking the field", () => {
    const header = rateLimitHeader([state("a\r\nb\u0000c\u00e9d\u{1f98a}")]);
    expect(header).not.toMatch(/[\r\n\0]/);
    expect(nameOf(parseSfList(header)[0]!)).toBe("abcd");
  });

  it.each<[string, LimitState[], number, number]>([
    ["no violated limit and no fallback is still 1", [], 0, 1],
    ["the longest violated t, rounded up", [state("a", { resetSeconds: 3.2 }), state("b", { resetSeconds: 12 })], 0, 12],
    ["a fractional t rounds up, never down", [state("a", { resetSeconds: 0.001 })], 0, 1],
    ["the fallback when it is longer", [state("a", { resetSeconds: 2 })], 7.5, 8],
    ["a negative fallback is ignored", [state("a", { resetSeconds: 4 })], -10, 4],
  ])("retryAfterSeconds: %s", (_name, violated, fallback, expected) => {
    expect(retryAfterSeconds(violated, fallback)).toBe(expected);
  });
});

const limitState = fc.record({
  name: fc.oneof(
    fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: "binary", maxLength: 30 }),
  ),
  quota: fc.integer({ min: 0, max: 1_000_000_000 }),
  windowSeconds: fc.double({ min: 0.001, max: 30 * 86_400, noNaN: true }),
  remaining: fc.double({ min: -10, max: 1_000_000_000, noNaN: true }),
  resetSeconds: fc.double({ min: 0, max: 30 * 86_400, noNaN: true }),
});

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

describe("RateLimit-Policy and RateLimit: properties", () => {
  it("both fields are Structured-Field Lists of named Strings with the draft's parameters", () => {
    fc.assert(
      fc.property(fc.array(limitState, { maxLength: 6 }), (states) => {
        const policy = parseSfList(rateLimitPolicyHeader(states));
        const limit = parseSfList(rateLimitHeader(states));
        expect(policy).toHaveLength(states.length);
        expect(limit).toHaveLength(states.length);
        states.forEach((s, i) => {
          const p = policy[i]!;
          const l = limit[i]!;
          expect(p.params.map(([k]) => k)).toEqual(["q", "w"]);
          expect(l.params.map(([k]) => k)).toEqual(["r", "t"]);
          expect(integerParam(p, "q")).toBe(s.quota);
          expect(integerParam(p, "w")).toBeGreaterThanOrEqual(1);
          expect(integerParam(p, "w")).toBeGreaterThanOrEqual(s.windowSeconds);
          expect(integerParam(l, "r")).toBeGreaterThanOrEqual(0);
          expect(integerParam(l, "r")).toBeLessThanOrEqual(Math.max(0, s.remaining));
          expect(integerParam(l, "t")).toBeGreaterThanOrEqual(0);
          expect(integerParam(l, "t")).toBeGreaterThanOrEqual(s.resetSeconds);
          // The same name in both fields; exact when the name is printable ASCII.
          expect(nameOf(l)).toBe(nameOf(p));
          if (PRINTABLE_ASCII.test(s.name)) expect(nameOf(p)).toBe(s.name);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it("Retry-After is at least 1 and never earlier than any violated limit's t", () => {
    fc.assert(
      fc.property(fc.array(limitState, { maxLength: 6 }), fc.double({ min: -5, max: 100_000, noNaN: true }), (violated, fallback) => {
        const retry = retryAfterSeconds(violated, fallback);
        expect(Number.isInteger(retry)).toBe(true);
        expect(retry).toBeGreaterThanOrEqual(1);
        expect(retry).toBeGreaterThanOrEqual(fallback);
        for (const item of parseSfList(rateLimitHeader(violated))) expect(retry).toBeGreaterThanOrEqual(integerParam(item, "t"));
        // …and not later than it has to be.
        const needed = Math.max(1, Math.ceil(fallback), ...violated.map((s) => Math.ceil(s.resetSeconds)));
        expect(retry).toBe(needed);
      }),
      { numRuns: 1000 },
    );
  });
});
