import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Identity } from "../../../src/core/identity/identity.ts";
import { compilePolicies } from "../../../src/core/policy/compile.ts";
import { compileSegmentGlob } from "../../../src/core/policy/glob.ts";
import type { EvaluationInput } from "../../../src/core/policy/types.ts";
import type { RuleDoc } from "./builders.ts";
import { identity, input, parsed, policyDoc } from "./builders.ts";

const GROUPS = ["scorers", "auditors", "ops"];
const TEAMS = ["fraud", "risk"];
const ACTIONS = ["predict", "read", "admin", "unknown", "train"];
const MODELS = ["fraud-detector", "fraud-x", "llm/chat", "", "other"];
const GLOBS = ["fraud-detector", "fraud-*", "**", "*", "llm/*", "other", "(server)"];
const WHENS = [undefined, "true", "false", 'request.environment == "prod"', 'request.headers["absent"] == "x"', "dyn(request.host)"];

const arbIdentity: fc.Arbitrary<Identity> = fc.oneof(
  fc.constant(identity({ method: "anonymous", subject: "", issuer: "" })),
  fc
    .record({
      method: fc.constantFrom("apikey" as const, "jwt" as const, "mtls" as const),
      subject: fc.constantFrom("alice@example.com", "svc-batch", "bob@example.org"),
      groups: fc.subarray(GROUPS),
      team: fc.oneof(fc.constantFrom(...TEAMS), fc.subarray(TEAMS)),
    })
    .map(({ method, subject, groups, team }) => identity({ method, subject, groups, attributes: { team } })),
);

const arbSubject: fc.Arbitrary<object> = fc.oneof(
  fc.constant({}),
  fc.constant({ method: "anonymous" }),
  fc.record(
    {
      method: fc.constantFrom("apikey", "jwt", "mtls"),
      subject: fc.constantFrom("*", "*@example.com", "svc-*"),
      groups: fc.subarray(GROUPS, { minLength: 1 }),
      attributes: fc.record({ team: fc.oneof(fc.constantFrom(...TEAMS), fc.subarray(TEAMS, { minLength: 1 })) }),
    },
    { requiredKeys: [] },
  ),
);

const arbRule = (effect: "Allow" | "Deny"): fc.Arbitrary<Omit<RuleDoc, "name">> =>
  fc
    .record({
      effect: fc.constant(effect),
      subjects: fc.array(arbSubject, { minLength: 1, maxLength: 3 }),
      actions: fc.subarray([...ACTIONS, "*"], { minLength: 1 }),
      when: fc.constantFrom(...WHENS),
    })
    .map(({ when, ...rest }) => (when === undefined ? rest : { ...rest, when }));

interface PolicyShape {
  readonly rules: readonly Omit<RuleDoc, "name">[];
  readonly models: readonly string[];
  readonly priority: number;
}

const arbPolicy = (rule: fc.Arbitrary<Omit<RuleDoc, "name">>): fc.Arbitrary<PolicyShape> =>
  fc.record({
    rules: fc.array(rule, { minLength: 1, maxLength: 4 }),
    models: fc.subarray(GLOBS, { minLength: 1 }),
    priority: fc.integer({ min: -2, max: 2 }),
  });

const arbMixedRule = fc.oneof(arbRule("Allow"), arbRule("Deny"));

const arbInput: fc.Arbitrary<EvaluationInput> = fc
  .record({
    who: arbIdentity,
    model: fc.constantFrom(...MODELS),
    action: fc.constantFrom(...ACTIONS),
    environment: fc.constantFrom("prod", "dev"),
  })
  .map(({ who, model, action, environment }) => input({ identity: who, model, action, environment }));

function toDocs(shapes: readonly PolicyShape[]): unknown[] {
  return shapes.map((shape, p) =>
    policyDoc(
      shape.rules.map((rule, r) => ({ ...rule, name: `r${r}` })),
      { name: `p${p}`, models: shape.models, priority: shape.priority },
    ),
  );
}

function evaluate(docs: readonly unknown[], evaluationInput: EvaluationInput) {
  const result = compilePolicies(docs.map(parsed));
  expect(result.issues).toEqual([]);
  return result.index.evaluate(evaluationInput);
}

const denyEveryone = (name: string) =>
  policyDoc([{ name: "stop", effect: "Deny", subjects: [{}], actions: ["*"] }], { name, models: ["**"] });

describe("policy properties", () => {
  it("default deny: an empty index allows nothing", () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        expect(evaluate([], i)).toEqual({ effect: "deny", reason: "policy_no_match", policy: undefined });
      }),
    );
  });

  it("default deny: Deny rules alone never allow", () => {
    fc.assert(
      fc.property(fc.array(arbPolicy(arbRule("Deny")), { maxLength: 4 }), arbInput, (shapes, i) => {
        expect(evaluate(toDocs(shapes), i).effect).toBe("deny");
      }),
    );
  });

  it("deny wins: a matching Deny rule turns any outcome into policy_denied", () => {
    fc.assert(
      fc.property(fc.array(arbPolicy(arbMixedRule), { maxLength: 4 }), arbInput, (shapes, i) => {
        expect(evaluate([...toDocs(shapes), denyEveryone("zz-stop")], i)).toMatchObject({ effect: "deny", reason: "policy_denied" });
        // The same rule appended to an existing policy that governs the model, after its Allow rules.
        const target = shapes.findIndex((shape) => governs(shape, i));
        if (target < 0) return;
        const stop = { effect: "Deny" as const, subjects: [{}], actions: ["*"] };
        const widened = shapes.map((s, n) => (n === target ? { ...s, rules: [...s.rules, stop] } : s));
        expect(evaluate(toDocs(widened), i)).toMatchObject({ effect: "deny", reason: "policy_denied" });
      }),
    );
  });

  it("deny wins: adding Allow rules never lifts a denial by a Deny rule", () => {
    fc.assert(
      fc.property(
        fc.array(arbPolicy(arbMixedRule), { minLength: 1, maxLength: 4 }),
        arbPolicy(arbRule("Allow")),
        fc.integer({ min: 0, max: 3 }),
        arbInput,
        (shapes, extra, into, i) => {
          const before = evaluate(toDocs(shapes), i);
          if (before.effect !== "deny" || before.reason !== "policy_denied") return;
          const asNewPolicy = toDocs([...shapes, { ...extra, priority: 1000 }]);
          const target = into % shapes.length;
          const intoExisting = toDocs(shapes.map((s, n) => (n === target ? { ...s, rules: [...extra.rules, ...s.rules] } : s)));
          expect(evaluate(asNewPolicy, i).effect).toBe("deny");
          expect(evaluate(intoExisting, i).effect).toBe("deny");
        },
      ),
    );
  });
});

function governs(shape: PolicyShape, i: EvaluationInput): boolean {
  const model = i.target.model;
  // Where Deny rules apply: `(server)` and the catch-alls reach the model "" (server-wide routes).
  return shape.models.some((glob) =>
    model === "" ? ["*", "**", "(server)"].includes(glob) : glob !== "(server)" && compileSegmentGlob(glob)(model),
  );
}

describe("glob properties", () => {
  const segmentChars = fc.constantFrom("a", "b", "-", ".", "1");
  const nameSegment = fc.string({ unit: segmentChars, minLength: 1, maxLength: 6 });
  const globSegment = fc.string({ unit: fc.constantFrom("a", "b", "-", "*"), minLength: 1, maxLength: 6 }).filter((s) => !s.includes("**"));
  const name = fc.array(nameSegment, { minLength: 1, maxLength: 4 });
  const glob = fc.array(globSegment, { minLength: 1, maxLength: 4 });

  it("a glob without ** never matches a name with a different number of segments", () => {
    fc.assert(
      fc.property(glob, name, (g, n) => {
        fc.pre(g.length !== n.length);
        expect(compileSegmentGlob(g.join("/"))(n.join("/"))).toBe(false);
      }),
    );
  });

  it("fraud-* matches exactly the one-segment names starting with fraud-", () => {
    fc.assert(
      fc.property(name, fc.boolean(), (n, prefixed) => {
        const candidate = prefixed ? [`fraud-${n[0]}`, ...n.slice(1)] : n;
        const joined = candidate.join("/");
        expect(compileSegmentGlob("fraud-*")(joined)).toBe(candidate.length === 1 && joined.startsWith("fraud-"));
      }),
    );
  });

  it("a glob without wildcards matches only itself", () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(compileSegmentGlob(a.join("/"))(b.join("/"))).toBe(a.join("/") === b.join("/"));
      }),
    );
  });
});
