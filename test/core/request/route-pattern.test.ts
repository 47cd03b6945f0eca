import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RoutePattern } from "../../../src/core/request/route-pattern.ts";
import { compileRoutePattern, matchRoute } from "../../../src/core/request/route-pattern.ts";

function compiled(method: string, path: string): RoutePattern {
  const result = compileRoutePattern(method, path);
  if (!result.ok) {
    throw new Error(result.error);
  }
  return result.value;
}

describe("compileRoutePattern: errors", () => {
  it.each<[string, string, string]>([
    ["post", "/retrain", "upper-case"],
    ["", "/retrain", "upper-case"],
    ["GET POST", "/retrain", "upper-case"],
    ["POST", "retrain", "path must start with /"],
    ["POST", "", "path must start with /"],
    ["POST", "/retrain?x=1", "query"],
    ["POST", "/retrain#x", "query"],
    ["POST", "/a//b", "write it as /a/b"],
    ["POST", "/a/", "write it as /a"],
    ["POST", "/a/./b", "write it as /a/b"],
    ["POST", "/a/../b", "write it as /b"],
    ["POST", "/a;x", "write it as /a"],
    ["POST", "/m%3Aretrain", "write it as /m:retrain"],
    ["POST", "/a%2Fb", "encoded slash"],
    ["POST", "/a\\b", "backslash"],
    ["POST", "/**/a", "** only allowed as the last segment"],
    ["POST", "/a/**/**", "** only allowed as the last segment"],
    ["POST", "/a**", "* must be a whole segment"],
    ["POST", "/a*", "* must be a whole segment"],
    ["POST", "/*a/b", "* must be a whole segment"],
    ["POST", "/{model}/{model}", "{model} may appear once"],
    ["POST", "/{model}{model}", "{model} may appear once"],
    ["POST", "/v1/{model}:a/x/{model}:b", "{model} may appear once"],
    ["POST", "/x{model}", "{model} must start its segment"],
    ["POST", "/{name}", "only {model} is supported"],
    ["POST", "/{Model}", "only {model} is supported"],
    ["POST", "/{model", "only {model} is supported"],
    ["POST", "/{model}}", "stray brace"],
    ["POST", "/a}", "stray brace"],
  ])("%s %j → %j", (method, path, message) => {
    const result = compileRoutePattern(method, path);
    expect(result.ok ? "compiled" : result.error).toContain(message);
  });

  it.each<[string, string]>([
    ["POST", "/retrain"],
    ["*", "/retrain"],
    ["M-SEARCH", "/"],
    ["GET", "/**"],
    ["GET", "/v1/*/x"],
    ["POST", "/v1/models/{model}:retrain"],
    ["POST", "/v1/models/{model}/train"],
    ["POST", "/v1/models/{model}/**"],
    ["POST", "/a b/é"],
  ])("%s %j compiles", (method, path) => {
    expect(compileRoutePattern(method, path).ok).toBe(true);
  });

  it("returns a frozen pattern", () => {
    const pattern = compiled("POST", "/v1/{model}");
    expect(Object.isFrozen(pattern) && Object.isFrozen(pattern.segments) && Object.isFrozen(pattern.segments[0])).toBe(true);
  });
});

describe("matchRoute", () => {
  it.each<[string, string, string, string, { model: string | undefined } | undefined]>([
    ["POST", "/retrain", "POST", "/retrain", { model: undefined }],
    ["POST", "/retrain", "GET", "/retrain", undefined],
    ["*", "/retrain", "DELETE", "/retrain", { model: undefined }],
    ["POST", "/retrain", "POST", "/retrain/x", undefined],
    ["POST", "/retrain", "POST", "/retraining", undefined],
    ["POST", "/retrain", "POST", "/Retrain", undefined],
    ["GET", "/", "GET", "/", { model: undefined }],
    ["GET", "/", "GET", "/x", undefined],
    ["GET", "/v1/models/foo", "GET", "/v1/models/foobar", undefined],
    ["GET", "/v1/models/foo", "GET", "/v1/models/foo-admin", undefined],
    ["GET", "/v1/models/foo", "GET", "/v1/models/foo/x", undefined],
    ["GET", "/v1/*/x", "GET", "/v1/a/x", { model: undefined }],
    ["GET", "/v1/*/x", "GET", "/v1/a/b/x", undefined],
    ["GET", "/v1/*/x", "GET", "/v1/x", undefined],
    ["GET", "/v1/**", "GET", "/v1", { model: undefined }],
    ["GET", "/v1/**", "GET", "/v1/a/b/c", { model: undefined }],
    ["GET", "/v1/**", "GET", "/v10", undefined],
    ["GET", "/**", "GET", "/", { model: undefined }],
    ["GET", "/**", "GET", "/anything/at/all", { model: undefined }],
    ["POST", "/v1/models/{model}:retrain", "POST", "/v1/models/fraud:retrain", { model: "fraud" }],
    ["POST", "/v1/models/{model}:retrain", "POST", "/v1/models/a:b:retrain", { model: "a:b" }],
    ["POST", "/v1/models/{model}:retrain", "POST", "/v1/models/:retrain", undefined],
    ["POST", "/v1/models/{model}:retrain", "POST", "/v1/models/fraud:retrainer", undefined],
    ["POST", "/v1/models/{model}:retrain", "POST", "/v1/models/fraud", undefined],
    ["POST", "/v1/models/{model}", "POST", "/v1/models/fraud", { model: "fraud" }],
    ["POST", "/v1/models/{model}", "POST", "/v1/models/fraud/x", undefined],
    ["POST", "/v1/models/{model}/train", "POST", "/v1/models/fraud/train", { model: "fraud" }],
    ["POST", "/v1/models/{model}/**", "POST", "/v1/models/fraud", { model: "fraud" }],
    ["POST", "/v1/models/{model}/**", "POST", "/v1/models/fraud/a/b", { model: "fraud" }],
    ["POST", "/{model}", "POST", "/", undefined],
  ])("%s %s vs %s %s → %j", (method, path, reqMethod, reqPath, expected) => {
    expect(matchRoute(compiled(method, path), reqMethod, reqPath)).toEqual(expected);
  });

  it("never lets * or {model} match an empty segment of a non-canonical path", () => {
    expect(matchRoute(compiled("GET", "/a/*/b"), "GET", "/a//b")).toBeUndefined();
    expect(matchRoute(compiled("GET", "/a/{model}"), "GET", "/a/")).toBeUndefined();
  });
});

// Canonical segments: never empty, never a dot segment.
const segmentText = fc.stringMatching(/^[a-z0-9:._-]{1,6}$/).filter((text) => text !== "." && text !== "..");
const segments = fc.array(segmentText, { minLength: 1, maxLength: 6 });

describe("matchRoute: properties (security.md P4/T14)", () => {
  it("a literal pattern never matches a path whose corresponding segment differs", () => {
    fc.assert(
      fc.property(segments, fc.nat(), segmentText, (parts, at, other) => {
        const index = at % parts.length;
        fc.pre(parts[index] !== other);
        const changed = parts.map((part, i) => (i === index ? other : part));
        const pattern = compiled("GET", `/${parts.join("/")}`);
        expect(matchRoute(pattern, "GET", `/${parts.join("/")}`)).toEqual({ model: undefined });
        expect(matchRoute(pattern, "GET", `/${changed.join("/")}`)).toBeUndefined();
        // Prefix and suffix extensions of a segment are different segments too.
        const extended = parts.map((part, i) => (i === index ? `${part}${other}` : part));
        expect(matchRoute(pattern, "GET", `/${extended.join("/")}`)).toBeUndefined();
      }),
      { numRuns: 10_000 },
    );
  });

  it("* matches exactly one segment and never spans a /", () => {
    fc.assert(
      fc.property(segments, fc.nat(), fc.array(segmentText, { minLength: 2, maxLength: 3 }), (parts, at, filler) => {
        const index = at % parts.length;
        const pattern = compiled("GET", `/${parts.map((part, i) => (i === index ? "*" : part)).join("/")}`);
        const one = parts.map((part, i) => (i === index ? (filler[0] ?? "x") : part));
        const many = parts.flatMap((part, i) => (i === index ? filler : [part]));
        expect(matchRoute(pattern, "GET", `/${one.join("/")}`)).toEqual({ model: undefined });
        expect(matchRoute(pattern, "GET", `/${many.join("/")}`)).toBeUndefined();
      }),
      { numRuns: 10_000 },
    );
  });

  it("{model} captures exactly the segment text before its suffix", () => {
    fc.assert(
      fc.property(segments, fc.nat(), segmentText, fc.constantFrom("", ":retrain", ".x"), (parts, at, model, suffix) => {
        const index = at % parts.length;
        const pattern = compiled("POST", `/${parts.map((part, i) => (i === index ? `{model}${suffix}` : part)).join("/")}`);
        const path = `/${parts.map((part, i) => (i === index ? `${model}${suffix}` : part)).join("/")}`;
        expect(matchRoute(pattern, "POST", path)).toEqual({ model });
        expect(matchRoute(pattern, "GET", path)).toBeUndefined();
      }),
      { numRuns: 5_000 },
    );
  });
});
