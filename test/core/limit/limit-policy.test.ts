import { describe, expect, it } from "vitest";
import { ANONYMOUS } from "../../../src/core/identity/identity.ts";
import { compilePolicies } from "../../../src/core/policy/compile.ts";
import { parsePolicyYaml } from "../../../src/core/policy/load-yaml.ts";
import { requestWith } from "../identity/helpers.ts";

// The AccessPolicy fields the Redis limiter reads: `shadow` on a limit, `spec.penaltyBox`, and
// the allowing policy's failure mode and penalty box carried by its Allow decisions.

function policy(spec: string): string {
  return `
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: p, namespace: default }
spec:
  models: ["*"]
${spec}
  rules:
    - name: all
      effect: Allow
      subjects: [{}]
      actions: [predict]
      limits:
        - { name: minute, requests: 10, per: 1m }
        - { name: dark, requests: 1, per: 1m, shadow: true }
        - { name: lit, requests: 1, per: 1m, shadow: false }
`;
}

function parse(spec: string) {
  const parsed = parsePolicyYaml(policy(spec), "p.yaml");
  expect(parsed.issues).toEqual([]);
  const [only] = parsed.policies;
  if (only === undefined) throw new Error("no policy");
  return only;
}

function allowOf(spec: string) {
  const index = compilePolicies([parse(spec)]).index;
  const target = { model: "m", version: "", action: "predict", source: "profile" as const };
  const evaluation = index.evaluate({ identity: ANONYMOUS, target, request: requestWith({}), environment: "" });
  if (evaluation.effect !== "allow") throw new Error("expected an allow");
  return evaluation;
}

describe("penaltyBox", () => {
  it.each<[string, string, object | undefined]>([
    ["absent: off", "", undefined],
    ["{}: every default", "  penaltyBox: {}", { violations: 10, withinMs: 60_000, blockMs: 60_000, maxBlockMs: 3_600_000 }],
    [
      "every field",
      "  penaltyBox: { violations: 3, within: 30s, block: 5m, maxBlock: 2h }",
      { violations: 3, withinMs: 30_000, blockMs: 300_000, maxBlockMs: 7_200_000 },
    ],
    [
      "a block longer than the default maxBlock raises maxBlock to it",
      "  penaltyBox: { block: 2h }",
      { violations: 10, withinMs: 60_000, blockMs: 7_200_000, maxBlockMs: 7_200_000 },
    ],
  ])("%s", (_name, spec, expected) => {
    expect(parse(spec).spec.penaltyBox).toEqual(expected);
    expect(allowOf(spec).penaltyBox).toEqual(expected);
  });
});

describe("failureMode on the Allow decision", () => {
  it.each([
    ["", "open"],
    ["  failureMode: closed", "closed"],
  ])("%j → %s", (spec, mode) => {
    expect(allowOf(spec).failureMode).toBe(mode);
  });
});

describe("shadow limits", () => {
  it("only a limit marked shadow: true carries the flag; false reads as an ordinary limit", () => {
    const limits = allowOf("").ruleLimits;
    expect(limits.map((l) => [l.name, l.shadow])).toEqual([
      ["minute", undefined],
      ["dark", true],
      ["lit", undefined],
    ]);
    expect(limits[2]).toEqual({ name: "lit", requests: 1, periodMs: 60_000, burst: 1, by: { kind: "identity" } });
  });
});
