import { describe, expect, it } from "vitest";
import type { AccessPolicy } from "../../../src/core/policy/access-policy.ts";
import { compilePolicies } from "../../../src/core/policy/compile.ts";
import { identity, input, parsed, policyDoc } from "./builders.ts";

describe("compilePolicies", () => {
  it("keeps the first of two policies with the same namespace/name and reports the second", () => {
    const first = parsed(policyDoc([{ name: "first" }], { name: "dup" }));
    const second = parsed(policyDoc([{ name: "second" }], { name: "dup", priority: 10 }));
    const result = compilePolicies([first, second]);
    expect(result.issues).toEqual([
      { policy: "ml-prod/dup", issues: [{ path: "metadata.name", message: "duplicate policy ml-prod/dup; the first one is kept" }] },
    ]);
    expect(result.index.policyCount).toBe(1);
    const evaluation = result.index.evaluate(input());
    expect(evaluation.effect === "allow" && evaluation.policy.rule).toBe("first");
  });

  it("the same name in different namespaces is not a duplicate", () => {
    const a = parsed(policyDoc([{ name: "r" }], { name: "p", namespace: "a" }));
    const b = parsed(policyDoc([{ name: "r" }], { name: "p", namespace: "b" }));
    expect(compilePolicies([a, b]).index.policyCount).toBe(2);
  });

  it("reports a CEL problem in a policy that was not validated, and leaves that policy out", () => {
    const valid = parsed(policyDoc([{ name: "r", when: "true" }], { name: "hand-made" }));
    const rule = valid.spec.rules[0]!;
    const broken: AccessPolicy = { ...valid, spec: { ...valid.spec, rules: [{ ...rule, when: "nope ==" }] } };
    const result = compilePolicies([broken]);
    expect(result.index.policyCount).toBe(0);
    expect(result.issues).toEqual([{ policy: "ml-prod/hand-made", issues: [expect.objectContaining({ path: "spec.rules[0].when" })] }]);
  });

  it("produces a frozen index", () => {
    const { index } = compilePolicies([parsed(policyDoc([{ name: "r" }]))]);
    expect(Object.isFrozen(index)).toBe(true);
  });

  it("CEL sees identity attributes from prototype-less records", () => {
    const attributes: Record<string, string | readonly string[]> = Object.create(null);
    attributes["team"] = ["fraud"];
    const { index } = compilePolicies([parsed(policyDoc([{ name: "r", when: '"fraud" in identity.attributes.team' }]))]);
    expect(index.evaluate(input({ identity: identity({ attributes }) })).effect).toBe("allow");
  });
});
