import { describe, expect, it } from "vitest";
import { compiled, identity, input, policyDoc, request } from "./builders.ts";

const headers = new Map([
  ["x-tenant", "acme"],
  ["content-type", "application/json"],
]);
const query = new Map([["debug", ["1"]]]);
const req = request({ headers, query, host: "fraud.ml.example.com", method: "POST", path: "/v1/models/fraud-detector:predict" });
const who = identity({ groups: ["scorers"], attributes: { team: ["fraud", "risk"], tier: "gold" } });

const evaluate = (when: string, effect: "Allow" | "Deny") => {
  const docs = [policyDoc([{ name: "conditional", effect, when }]), policyDoc([{ name: "fallback" }], { name: "zz-fallback" })];
  return compiled(...docs).index.evaluate(input({ identity: who, request: req, environment: "staging" }));
};

// For Allow: does the conditional rule decide? For Deny: is the request denied?
describe("CEL when", () => {
  it.each<[string, string, boolean]>([
    ["environment", 'request.environment == "staging"', true],
    ["environment mismatch", 'request.environment == "prod"', false],
    ["header lookup", 'request.headers["x-tenant"] == "acme"', true],
    ["header presence", '"x-debug" in request.headers', false],
    ["query values are lists", '"1" in request.query["debug"]', true],
    ["identity groups", '"scorers" in identity.groups', true],
    ["list attribute", '"risk" in identity.attributes.team', true],
    ["string attribute", 'identity.attributes.tier == "gold"', true],
    ["model name", 'model.name.startsWith("fraud-")', true],
    ["action", 'action == "predict"', true],
    ["peer address", 'request.source == "10.0.0.7"', true],
    ["macros", 'identity.groups.exists(g, g.endsWith("ers"))', true],
    ["missing map key is an error", 'request.headers["x-absent"] == "1"', false],
    ["non-boolean result is an error", "identity.attributes.tier", false],
    ["runtime type error", "identity.attributes.tier + 1 == 2", false],
  ])("Allow: %s", (_, when, decides) => {
    const evaluation = evaluate(when, "Allow");
    expect(evaluation.effect === "allow" && evaluation.policy.rule).toBe(decides ? "conditional" : "fallback");
  });

  it.each<[string, string, boolean]>([
    ["true denies", 'request.environment == "staging"', true],
    ["false does not deny", 'request.environment == "prod"', false],
    ["an evaluation error denies", 'request.headers["x-absent"] == "1"', true],
    ["a non-boolean result denies", "identity.attributes.tier", true],
  ])("Deny: %s", (_, when, denies) => {
    expect(evaluate(when, "Deny").effect).toBe(denies ? "deny" : "allow");
  });

  it("converts only the variables an expression reads", () => {
    const poisoned = { ...request() };
    Object.defineProperty(poisoned, "headers", {
      get: () => expect.fail("request.headers must not be read for an expression that only uses action"),
    });
    const docs = [policyDoc([{ name: "only-action", when: 'action == "predict"' }])];
    expect(compiled(...docs).index.evaluate(input({ request: poisoned })).effect).toBe("allow");
  });
});
