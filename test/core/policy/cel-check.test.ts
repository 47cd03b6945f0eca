import { describe, expect, it } from "vitest";
import { createCelEnv, whenProblem } from "../../../src/core/policy/cel.ts";

// `when` is typed at load against the declared variables: a condition whose types can never
// work is refused with a message, instead of silently never matching (Allow) or matching every
// request through an evaluation error (Deny).
const env = createCelEnv();

describe("CEL type check", () => {
  it.each<[string, string, string]>([
    [
      "string compared with int",
      "request.environment == 1",
      "request.environment == 1 compares a string with an int, which are never equal",
    ],
    ["string ordered against int", "request.environment < 1", "request.environment < 1: < cannot be applied to (string, int)"],
    ["int looked up among strings", "1 in identity.groups", "looks for an int among string values"],
    ["list compared with string", 'request.query["debug"] == "1"', "compares a list(string) with a string"],
    ["header map indexed by int", 'request.headers[1] == "a"', "indexed by a string, not an int"],
    ["non-boolean result", "request.host", "the condition must be a bool, but it is a string"],
    ["method with a wrong argument", "model.name.startsWith(1)", "a string has no method startsWith(int)"],
    ["method called as a function", 'matches(model.name, "^f")', "matches() does not take (string, string)"],
    ["field of a string", 'request.environment.stage == "x"', 'a string has no fields (".stage")'],
    ["unknown field under has()", "has(identity.team)", '"identity" has no field "team"'],
    ["macro body mistyped", "identity.groups.all(g, g > 1)", "g > 1: > cannot be applied to (string, int)"],
    ["not on a string", "!action", "! cannot be applied to (string)"],
    ["&& on a string", 'action && request.host == "a"', "&& cannot be applied to (string, bool)"],
    ["branches of different types", 'action == "p" ? 1 : "a"', "the branches have different types (int and string)"],
    ["comparison with null", "request.host != null", "compares a string with a null_type"],
  ])("refuses %s", (_, when, message) => {
    expect(whenProblem(env, when)).toContain(message);
  });

  it.each([
    'request.environment == "staging" && action in ["predict", "explain"]',
    '"1" in request.query["debug"]',
    'request.headers["x-tenant"] == "acme" || !("x-debug" in request.headers)',
    // Attribute values are a string or a list depending on the identity source: dyn, checked when run.
    'identity.attributes.tier == "gold"',
    '"risk" in identity.attributes.team',
    "identity.attributes.tier + 1 == 2",
    "size(identity.groups) > 2 && identity.groups.size() < 10u",
    'identity.groups.exists(g, g.endsWith("ers")) && identity.groups.all(g, g != "")',
    'identity.groups.map(g, g + "!").exists_one(x, x == "a!")',
    'identity.groups.filter(g, g.matches("^ml-")).size() == 1',
    'request.query.all(k, k != "")',
    "has(request.headers.authorization) || has(identity.subject)",
    'type(action) == string && int(request.headers["x-count"]) > 3',
    'duration("1s") < duration("2s") && 1.0 == 1',
    'model.version == "" ? true : model.version.startsWith("v")',
    "dyn(request.environment) == 1",
  ])("accepts %s", (when) => {
    expect(whenProblem(env, when)).toBeUndefined();
  });

  it("reports a mistake once, not again in every expression around it, and each independent one", () => {
    expect(whenProblem(env, '(request.environment < 1) == true && action == "x"')).toBe(
      "request.environment < 1: < cannot be applied to (string, int)",
    );
    expect(whenProblem(env, "request.environment < 1 || action == 2")).toBe(
      "request.environment < 1: < cannot be applied to (string, int); action == 2 compares a string with an int, which are never equal",
    );
  });
});
