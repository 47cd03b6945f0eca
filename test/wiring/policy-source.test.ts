import { describe, expect, it } from "vitest";
import { buildPolicyIndex } from "../../src/wiring/policy-source.ts";

// Policy files → the index the server serves: only the server's namespace, and a policy that
// names no namespace belongs to it (README "AccessPolicy": namespace defaults to the server's).

const policy = (name: string, namespace?: string) => `
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: ${name}${namespace === undefined ? "" : `, namespace: ${namespace}`} }
spec:
  models: ["fraud-detector"]
  anomaly: { volume: block }
  rules: [{ name: everyone, effect: Allow, subjects: [{}], actions: [read] }]
`;

describe("buildPolicyIndex", () => {
  it.each([
    ["a policy in the server's namespace", policy("p", "default"), 1, []],
    ["a policy that names no namespace", policy("p"), 1, []],
    ["a policy of another namespace", policy("p", "other"), 0, ["other/p"]],
  ])("serves %s", (_name, text, served, ignored) => {
    const result = buildPolicyIndex([{ name: "policies.yaml", text }], "default");
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.index.policyCount).toBe(served);
    expect(result.value.ignored).toEqual(ignored);
  });

  it("files a policy without a namespace under the server's, where its lookups find it", () => {
    const result = buildPolicyIndex([{ name: "policies.yaml", text: policy("p") }], "ml-prod");
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.index.anomalyResponses("ml-prod", "p")).toEqual({ volume: "block" });
    expect(result.value.index.anomalyResponses("", "p")).toBeUndefined();
  });

  it("rejects the whole load when any document is invalid", () => {
    const result = buildPolicyIndex(
      [
        { name: "a.yaml", text: policy("p") },
        { name: "b.yaml", text: "kind: AccessPolicy\n" },
      ],
      "default",
    );
    expect(result.ok).toBe(false);
  });

  it.each([
    ["empty", ""],
    ["only separators", "---\n---\n"],
  ])("refuses a policy file that is %s, so the set being served stays", (_name, text) => {
    const result = buildPolicyIndex(
      [
        { name: "a.yaml", text: policy("p") },
        { name: "b.yaml", text },
      ],
      "default",
    );
    expect(result.ok ? result.value : result.error).toEqual([
      { path: "b.yaml", message: expect.stringContaining("holds no policy document") },
    ]);
  });

  it("serves nothing when a file says so explicitly", () => {
    const result = buildPolicyIndex([{ name: "none.yaml", text: "[]\n" }], "default");
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.index.policyCount).toBe(0);
  });

  it("carries the analysis' warnings for the log, one line per rule", () => {
    const everyModel = policy("p").replace('models: ["fraud-detector"]', 'models: ["**"]');
    const result = buildPolicyIndex([{ name: "policies.yaml", text: everyModel }], "default");
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.warnings).toEqual([
      expect.stringMatching(/^default\/p rule everyone: grants read on every model \(models: "\*\*"\) to everyone/),
    ]);
    const named = buildPolicyIndex([{ name: "policies.yaml", text: policy("p") }], "default");
    expect(named.ok && named.value.warnings).toEqual([]);
  });
});
