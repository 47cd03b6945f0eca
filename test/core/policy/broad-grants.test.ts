import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compilePolicies } from "../../../src/core/policy/compile.ts";
import { parsePolicyYaml } from "../../../src/core/policy/load-yaml.ts";
import { compiled, policyDoc } from "./builders.ts";
import type { RuleDoc } from "./builders.ts";

// Allow rules that open every model (or the server-wide model list) to anyone of a kind are
// reported by the analysis that feeds policy status, the file source's log and `modelgate check`.
const warningsOf = (rule: Omit<RuleDoc, "name">, models: readonly string[]) =>
  compiled(policyDoc([{ name: "r", ...rule }], { models })).warnings.map((w) => `${w.policy}:${w.rule}: ${w.message}`);

describe("broad grants", () => {
  it.each<[string, Omit<RuleDoc, "name">, readonly string[], string | undefined]>([
    [
      "health of every model to everyone",
      { subjects: [{}], actions: ["health"] },
      ["**"],
      'grants health on every model (models: "**") to everyone, anonymous callers included',
    ],
    [
      "metadata under * to anonymous callers",
      { subjects: [{ method: "anonymous" }], actions: ["read"] },
      ["*"],
      "grants read on every model",
    ],
    [
      "read to every key holder",
      { subjects: [{ method: "apikey" }], actions: ["read", "health"] },
      ["fraud-*", "**"],
      'grants health, read on every model (models: "**") to every apikey caller',
    ],
    [
      "any authenticated subject",
      { subjects: [{ subject: "*" }], actions: ["predict"] },
      ["**"],
      'grants predict on every model (models: "**") to every authenticated caller',
    ],
    [
      "the broadest entry is named",
      { subjects: [{ groups: ["ops"] }, { method: "jwt" }, {}], actions: ["*"] },
      ["**"],
      'grants every action (*) on every model (models: "**") to everyone',
    ],
    [
      "the server list to everyone",
      { subjects: [{}], actions: ["list"] },
      ["(server)"],
      "grants list on the server-wide routes (the model list, statistics of every model) to everyone",
    ],
    [
      "server read and list through *",
      { subjects: [{}], actions: ["*"] },
      ["(server)"],
      "grants list, read and stats on the server-wide routes",
    ],
    [
      "every model's statistics to everyone",
      { subjects: [{}], actions: ["stats"] },
      ["(server)"],
      "grants stats on the server-wide routes (the model list, statistics of every model) to everyone",
    ],
    ["server health to everyone is what probes need", { subjects: [{}], actions: ["health"] }, ["(server)"], undefined],
    ["server metadata to key holders", { subjects: [{ method: "apikey" }], actions: ["read"] }, ["(server)"], undefined],
    ["a named model to everyone", { subjects: [{}], actions: ["health", "read"] }, ["fraud-detector"], undefined],
    ["a team's models to everyone", { subjects: [{}], actions: ["read"] }, ["team/**"], undefined],
    ["every model to a group", { subjects: [{ groups: ["ops"] }], actions: ["read"] }, ["**"], undefined],
    ["every model to one issuer's tokens", { subjects: [{ method: "jwt", issuer: "https://idp/" }], actions: ["read"] }, ["**"], undefined],
    ["a narrowing subject pattern", { subjects: [{ subject: "*@example.com" }], actions: ["read"] }, ["**"], undefined],
    ["a conditional rule", { subjects: [{}], actions: ["read"], when: 'request.environment == "dev"' }, ["**"], undefined],
    ["a Deny rule", { effect: "Deny", subjects: [{}], actions: ["*"] }, ["**"], undefined],
  ])("%s", (_, rule, models, message) => {
    const warnings = warningsOf(rule, models);
    if (message === undefined) expect(warnings).toEqual([]);
    else expect(warnings).toEqual([expect.stringContaining(`ml-prod/policy:r: ${message}`)]);
  });

  it("the old server-endpoints example (models: **) is reported; the fixed one is not", () => {
    const old = compiled(
      policyDoc(
        [
          { name: "anyone-checks-health", subjects: [{}], actions: ["health"] },
          { name: "keyholders-read-server-metadata", subjects: [{ method: "apikey" }], actions: ["read"] },
        ],
        { name: "server-endpoints", models: ["**"] },
      ),
    );
    expect(old.warnings.map((w) => w.rule)).toEqual(["anyone-checks-health", "keyholders-read-server-metadata"]);
    const example = parsePolicyYaml(
      readFileSync(join(import.meta.dirname, "../../../deploy/examples/policies.yaml"), "utf8"),
      "policies.yaml",
    );
    expect(example.issues).toEqual([]);
    expect(compilePolicies(example.policies).warnings).toEqual([]);
  });
});
