import { describe, expect, it } from "vitest";
import { compiled, policyDoc } from "./builders.ts";

describe("shadowed Allow rules", () => {
  it.each<[string, readonly unknown[], readonly string[]]>([
    [
      "an unconditional everyone rule hides later rules for the same actions",
      [
        policyDoc([
          { name: "everyone", actions: ["predict", "read"] },
          { name: "gold", subjects: [{ groups: ["gold"] }] },
        ]),
      ],
      ["ml-prod/policy:gold <- ml-prod/policy:everyone"],
    ],
    [
      "narrower actions do not shadow",
      [
        policyDoc([
          { name: "everyone", actions: ["read"] },
          { name: "gold", subjects: [{ groups: ["gold"] }] },
        ]),
      ],
      [],
    ],
    [
      "a condition on the earlier rule means it may not match",
      [policyDoc([{ name: "everyone", when: 'request.environment == "dev"' }, { name: "gold" }])],
      [],
    ],
    [
      "* does not shadow a rule that names admin",
      [
        policyDoc([
          { name: "everyone", actions: ["*"] },
          { name: "ops", actions: ["admin"] },
        ]),
      ],
      [],
    ],
    [
      "across policies, when the earlier policy governs the same models",
      [policyDoc([{ name: "everyone" }], { name: "b-first", priority: 5 }), policyDoc([{ name: "later" }], { name: "a-second" })],
      ["ml-prod/a-second:later <- ml-prod/b-first:everyone"],
    ],
    [
      "not across policies that govern other models",
      [
        policyDoc([{ name: "everyone" }], { name: "b-first", priority: 5, models: ["other"] }),
        policyDoc([{ name: "later" }], { name: "a-second" }),
      ],
      [],
    ],
    [
      "a ** policy does not shadow a (server) rule: its Allow rules never reach server-wide routes",
      [
        policyDoc([{ name: "everyone" }], { name: "b-first", priority: 5, models: ["**"] }),
        policyDoc([{ name: "later" }], { name: "a-second", models: ["(server)"] }),
      ],
      [],
    ],
    [
      "an earlier (server) rule shadows a later one",
      [
        policyDoc([{ name: "everyone" }], { name: "b-first", priority: 5, models: ["**", "(server)"] }),
        policyDoc([{ name: "later" }], { name: "a-second", models: ["(server)"] }),
      ],
      ["ml-prod/a-second:later <- ml-prod/b-first:everyone"],
    ],
  ])("%s", (_, docs, expected) => {
    const shadowed = compiled(...docs).shadowed.map((s) => `${s.policy}:${s.rule} <- ${s.shadowedBy.policy}:${s.shadowedBy.rule}`);
    expect(shadowed).toEqual(expected);
  });
});
