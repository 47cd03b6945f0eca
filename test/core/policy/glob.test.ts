import { describe, expect, it } from "vitest";
import { compileSegmentGlob, compileWildcard } from "../../../src/core/policy/glob.ts";

describe("compileWildcard (subjects)", () => {
  it.each<[string, string, boolean]>([
    ["alice@example.com", "alice@example.com", true],
    ["*@example.com", "alice@example.com", true],
    ["*@example.com", "alice@example.org", false],
    ["svc-*", "svc-", true],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXcYYb", false],
    ["*", "", true],
    ["system:serviceaccount:*:scorer", "system:serviceaccount:batch:scorer", true],
    ["a?c", "abc", false],
  ])("%j vs %j", (pattern, text, expected) => {
    expect(compileWildcard(pattern)(text)).toBe(expected);
  });

  it("stays fast on adversarial input", () => {
    const match = compileWildcard(`${"*a".repeat(30)}b`);
    const started = performance.now();
    expect(match("a".repeat(5000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("compileSegmentGlob (models, SPIFFE paths)", () => {
  it.each<[string, string, boolean]>([
    ["fraud-*", "fraud-detector", true],
    ["fraud-*", "fraud/detector", false],
    ["*", "a", true],
    ["*", "a/b", false],
    ["*/*", "a/b", true],
    ["*/*", "a/b/c", false],
    ["**", "a/b/c", true],
    ["a/**", "a", true],
    ["a/**", "a/b/c", true],
    ["a/**", "ab/c", false],
    ["**/c", "a/b/c", true],
    ["**/c", "c", true],
    ["a/**/c", "a/c", true],
    ["a/**/c", "a/x/y/c", true],
    ["a/**/c", "a/x/y/d", false],
    ["**/*-v2/**", "org/model-v2/q", true],
    ["**/*-v2/**", "org/model-v3/q", false],
  ])("%j vs %j", (pattern, text, expected) => {
    expect(compileSegmentGlob(pattern)(text)).toBe(expected);
  });

  it("stays fast with many ** segments", () => {
    const match = compileSegmentGlob(`${"**/a/".repeat(20)}b`);
    const started = performance.now();
    expect(match(Array.from({ length: 2000 }, () => "a").join("/"))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
