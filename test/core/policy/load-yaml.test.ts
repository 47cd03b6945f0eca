import { describe, expect, it } from "vitest";
import { NO_DOCUMENT_MESSAGE, parsePolicyYaml } from "../../../src/core/policy/load-yaml.ts";

const policy = (name: string, extra = "") => `apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: ${name} }
spec:
  models: [m]
  rules: [{ name: r, effect: Allow, subjects: [{}], actions: [predict] }]
${extra}`;

describe("parsePolicyYaml", () => {
  it("reads every document, skipping empty ones, and locates issues by 0-based document index", () => {
    const text = ["", policy("first"), "# only a comment\n", policy("second", "  priority: high\n"), policy("third")].join("---\n");
    const result = parsePolicyYaml(text, "policies.yaml");
    expect(result.policies.map((p) => p.metadata.name)).toEqual(["first", "third"]);
    expect(result.issues).toEqual([{ path: "policies.yaml#2:spec.priority", message: 'expected an integer, got the string "high"' }]);
  });

  it.each([
    ["an empty file", ""],
    ["only whitespace", "\n  \n"],
    ["only comments", "# nothing here yet\n"],
    ["only separators", "---\n---\n# c\n---\n"],
    ["an explicit null", "~\n"],
  ])("refuses %s: a truncated write must not replace every policy with none", (_, text) => {
    expect(parsePolicyYaml(text, "empty.yaml")).toEqual({ policies: [], issues: [{ path: "empty.yaml", message: NO_DOCUMENT_MESSAGE }] });
  });

  it.each([
    ["an empty YAML list", "[]\n"],
    ["an empty kind: List", "apiVersion: v1\nkind: List\nitems: []\n"],
    ["an empty list after a comment and a separator", "# nothing is served on purpose\n---\n[]\n"],
  ])("accepts %s as a deliberate empty set", (_, text) => {
    expect(parsePolicyYaml(text, "none.yaml")).toEqual({ policies: [], issues: [] });
  });

  it("reads a YAML list of policies and a kind: List, locating issues inside them", () => {
    const asList = `- ${policy("a").replaceAll("\n", "\n  ")}\n- ${policy("b", "  priority: high\n").replaceAll("\n", "\n  ")}`;
    const listed = parsePolicyYaml(asList, "p.yaml");
    expect(listed.policies.map((p) => p.metadata.name)).toEqual(["a"]);
    expect(listed.issues).toEqual([{ path: "p.yaml#0:[1].spec.priority", message: 'expected an integer, got the string "high"' }]);
    const kubectl = `apiVersion: v1\nkind: List\nmetadata: { resourceVersion: "" }\nitems:\n${asList.replace(/^/gm, "  ")}`;
    const fromKubectl = parsePolicyYaml(kubectl, "get.yaml");
    expect(fromKubectl.policies.map((p) => p.metadata.name)).toEqual(["a"]);
    expect(fromKubectl.issues).toEqual([
      { path: "get.yaml#0:items[1].spec.priority", message: 'expected an integer, got the string "high"' },
    ]);
  });

  it("reports YAML syntax errors with line and column and keeps the valid documents", () => {
    const text = `${policy("good")}---\n${policy("bad").replace("models: [m]", "models: [m")}`;
    const result = parsePolicyYaml(text, "p.yaml");
    expect(result.policies.map((p) => p.metadata.name)).toEqual(["good"]);
    expect(result.issues[0]?.path).toBe("p.yaml#1");
    expect(result.issues[0]?.message).toMatch(/^YAML error at line \d+, column \d+: /);
  });

  it.each([
    ["duplicate keys", policy("dup").replace("kind: AccessPolicy", "kind: AccessPolicy\nkind: AccessPolicy"), "unique"],
    ["unknown tags", policy("tagged").replace("models: [m]", "models: !!set [m]"), "YAML"],
    ["merge keys are plain keys", policy("merge").replace("models: [m]", "<<: { models: [m] }"), 'unknown field "<<"'],
  ])("rejects %s", (_, text, message) => {
    const result = parsePolicyYaml(text, "p.yaml");
    expect(result.policies).toEqual([]);
    expect(result.issues.map((i) => i.message).join("\n")).toContain(message);
  });

  it("allows a few plain anchors and aliases", () => {
    const text = `apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: anchors }
spec:
  models: [m]
  rules:
    - { name: a, effect: Allow, subjects: &scorers [{ groups: [scorers] }], actions: [predict] }
    - { name: b, effect: Allow, subjects: *scorers, actions: [read] }
`;
    const result = parsePolicyYaml(text, "p.yaml");
    expect(result.issues).toEqual([]);
    expect(result.policies[0]?.spec.rules[1]?.subjects[0]?.groups).toEqual(["scorers"]);
  });
});
