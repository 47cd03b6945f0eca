import { describe, expect, it } from "vitest";
import { parseClaimPath, readClaim, type ClaimPath } from "../../../../src/core/identity/jwt/claim-path.ts";

function path(text: string): ClaimPath {
  const parsed = parseClaimPath(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

const CLAIMS = JSON.parse(`{
  "sub": "alice",
  "team": "data_science",
  "realm_access": { "roles": ["reader", "writer"] },
  "resource_access": { "modelgate": { "roles": ["predict"] } },
  "orgs": [{ "name": "acme", "tier": "gold" }, { "name": "globex" }],
  "https://example.com/claims": { "team": "ml" },
  "a.b": "dotted",
  "nested": [["x", "y"], ["z"]],
  "__proto__": { "polluted": "yes" }
}`);

describe("claim paths", () => {
  it.each([
    ["sub", [{ kind: "name", name: "sub" }]],
    [
      "realm_access.roles",
      [
        { kind: "name", name: "realm_access" },
        { kind: "name", name: "roles" },
      ],
    ],
    [
      "orgs[1].name",
      [
        { kind: "name", name: "orgs" },
        { kind: "index", index: 1 },
        { kind: "name", name: "name" },
      ],
    ],
    [
      '["https://example.com/claims"].team',
      [
        { kind: "name", name: "https://example.com/claims" },
        { kind: "name", name: "team" },
      ],
    ],
    [
      'x.["a.b"]',
      [
        { kind: "name", name: "x" },
        { kind: "name", name: "a.b" },
      ],
    ],
    ['["quote\\"d"]', [{ kind: "name", name: 'quote"d' }]],
    ["cognito:groups", [{ kind: "name", name: "cognito:groups" }]],
  ])("parses %s", (text, steps) => {
    expect(path(text).steps).toEqual(steps);
  });

  it.each([
    ["", "must not be empty"],
    [".sub", "expected a claim name"],
    ["sub.", "expected a claim name"],
    ["a..b", "expected a claim name"],
    ["a[", "expected [<index>]"],
    ["a[x]", "expected [<index>]"],
    ['a[""]', "must not be empty"],
    ["a[99999]", "expected [<index>]"],
    ["a[2000]", "larger than 1023"],
    ['a"b', 'unexpected "\\""'],
    ["x".repeat(257), "at most 256"],
    [Array.from({ length: 17 }, () => "a").join("."), "at most 16 steps"],
  ])("rejects %j", (text, message) => {
    const parsed = parseClaimPath(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  it.each([
    ["sub", ["alice"], false],
    ["realm_access.roles", [["reader", "writer"]], false],
    ["resource_access.modelgate.roles", [["predict"]], false],
    ["orgs.name", ["acme", "globex"], true],
    ["orgs.tier", ["gold"], true],
    ["orgs[0].name", ["acme"], false],
    ["orgs[5].name", [], false],
    ['["https://example.com/claims"].team', ["ml"], false],
    ['["a.b"]', ["dotted"], false],
    ["a.b", [], false],
    ["nested[0]", [["x", "y"]], false],
    ["missing.deeper", [], false],
    ["sub.length", [], false],
    ["team.constructor", [], false],
    ["__proto__.polluted", ["yes"], false],
    ["constructor", [], false],
  ])("reads %s", (text, values, fannedOut) => {
    expect(readClaim(CLAIMS, path(text))).toEqual({ values, fannedOut });
  });

  it("never reads through a prototype", () => {
    expect(readClaim({}, path("toString")).values).toEqual([]);
    expect(readClaim({ a: {} }, path("a.hasOwnProperty")).values).toEqual([]);
  });
});
