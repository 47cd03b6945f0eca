import { describe, expect, it } from "vitest";
import { parseAccessPolicy } from "../../../src/core/policy/access-policy.ts";
import { parsed, policyDoc } from "./builders.ts";

const paths = (doc: unknown): string[] => {
  const result = parseAccessPolicy(doc);
  return result.ok ? [] : result.error.map((issue) => issue.path);
};

describe("parseAccessPolicy", () => {
  it("fills defaults and normalises attribute values to lists", () => {
    const doc = policyDoc([{ name: "r", subjects: [{ attributes: { team: "fraud", tier: ["gold", "silver"] } }] }]);
    doc["metadata"] = { name: "policy" };
    const policy = parsed(doc);
    expect(policy.metadata).toEqual({ name: "policy", namespace: "", generation: 0 });
    expect(policy.spec.priority).toBe(0);
    expect(policy.spec.failureMode).toBe("open");
    expect(policy.spec.routes).toEqual([]);
    expect(policy.spec.limits).toEqual([]);
    expect(policy.spec.anomaly).toEqual({});
    expect(policy.spec.rules[0]?.when).toBeUndefined();
    expect(policy.spec.rules[0]?.subjects[0]?.attributes).toEqual({ team: ["fraud"], tier: ["gold", "silver"] });
  });

  it("returns a frozen value that shares nothing with the input", () => {
    const doc = policyDoc([{ name: "r" }]);
    const policy = parsed(doc);
    expect(Object.isFrozen(policy) && Object.isFrozen(policy.spec) && Object.isFrozen(policy.spec.rules[0])).toBe(true);
    (doc["spec"] as { models: string[] }).models.push("mutated");
    expect(policy.spec.models).toEqual(["fraud-detector"]);
  });

  it("collects every problem in one pass, each with its own path", () => {
    const doc = {
      apiVersion: "modelgate.io/v1alpha1",
      kind: "AccessPolicy",
      metadata: { name: "x" },
      spec: {
        models: ["a//b", "ok"],
        rules: [
          { name: "Bad Name", effect: "Permit", subjects: [{ method: "saml" }], actions: [] },
          { name: "two", effect: "Allow", subjects: [{}], actions: ["read"], limits: [{ name: "m", requests: 0, per: "1x", extra: 1 }] },
        ],
        limits: [{ name: "org", requests: 1, per: "1m", by: "tenant" }],
      },
    };
    expect(paths(doc).sort()).toEqual(
      [
        "spec.models[0]",
        "spec.rules[0].name",
        "spec.rules[0].effect",
        "spec.rules[0].subjects[0].method",
        "spec.rules[0].actions",
        "spec.rules[1].limits[0].extra",
        "spec.rules[1].limits[0].requests",
        "spec.rules[1].limits[0].per",
        "spec.limits[0].by",
      ].sort(),
    );
  });

  it.each<[string, unknown, string]>([
    ["null", null, ""],
    ["a list", [], ""],
    ["a string", "AccessPolicy", ""],
    ["an empty mapping", {}, "apiVersion"],
    ["a class instance", new (class Doc {})(), ""],
  ])("rejects %s as a document", (_, doc, path) => {
    expect(paths(doc)).toContain(path);
  });

  it("rejects unknown keys at every level", () => {
    const doc = policyDoc([{ name: "r", subjects: [{ grups: ["a"] }] }], {
      routes: [{ method: "POST", path: "/retrain", action: "train", verb: "x" }],
      limits: [{ name: "l", requests: 1, per: "1s", window: "1s" }],
    });
    (doc["spec"] as Record<string, unknown>)["model"] = "x";
    expect(paths(doc).sort()).toEqual(
      ["spec.model", "spec.routes[0].verb", "spec.limits[0].window", "spec.rules[0].subjects[0].grups"].sort(),
    );
  });

  it("treats an own __proto__ key as an unknown field, not as a prototype", () => {
    const spec = JSON.parse('{"models": ["m"], "rules": [], "__proto__": {"rules": []}}') as unknown;
    const doc = { apiVersion: "modelgate.io/v1alpha1", kind: "AccessPolicy", metadata: { name: "x" }, spec };
    expect(paths(doc)).toEqual(expect.arrayContaining(["spec.__proto__", "spec.rules"]));
  });

  it("accepts the standard Kubernetes metadata and a status block", () => {
    const doc: Record<string, unknown> = { ...policyDoc([{ name: "r" }]), status: { conditions: [] } };
    doc["metadata"] = { name: "p", namespace: "ns", generation: 4, uid: "u", resourceVersion: "9", labels: { a: "b" }, annotations: {} };
    expect(parsed(doc).metadata).toEqual({ name: "p", namespace: "ns", generation: 4 });
  });
});

describe("spec.anomaly", () => {
  const withAnomaly = (anomaly: unknown): Record<string, unknown> => {
    const doc = policyDoc([{ name: "r" }]);
    (doc["spec"] as Record<string, unknown>)["anomaly"] = anomaly;
    return doc;
  };
  const issuesOf = (anomaly: unknown) => {
    const result = parseAccessPolicy(withAnomaly(anomaly));
    return result.ok ? [] : result.error;
  };

  it.each<[string, unknown, object]>([
    [
      "every rule",
      { volume: "block", probing: "lower-limits", reconnaissance: "alert", sharing: "block" },
      { volume: "block", probing: "lower-limits", reconnaissance: "alert", sharing: "block" },
    ],
    ["one rule", { probing: "lower-limits" }, { probing: "lower-limits" }],
    ["no rule", {}, {}],
  ])("keeps the chosen responses: %s", (_name, anomaly, expected) => {
    const policy = parsed(withAnomaly(anomaly));
    expect(policy.spec.anomaly).toEqual(expected);
    expect(Object.isFrozen(policy.spec.anomaly)).toBe(true);
  });

  it.each<[string, unknown, string, string]>([
    [
      "an unknown rule",
      { theft: "block" },
      "spec.anomaly.theft",
      'unknown anomaly rule "theft"; the rules are volume, probing, reconnaissance, sharing',
    ],
    ["a misspelled rule", { volumes: "block" }, "spec.anomaly.volumes", 'unknown anomaly rule "volumes"; did you mean "volume"?'],
    ["a rule in the wrong case", { Sharing: "block" }, "spec.anomaly.Sharing", 'did you mean "sharing"?'],
    [
      "an unknown response",
      { volume: "deny" },
      "spec.anomaly.volume",
      'unknown response "deny"; expected one of alert, lower-limits, block',
    ],
    [
      "a misspelled response",
      { probing: "lower-limit" },
      "spec.anomaly.probing",
      'unknown response "lower-limit"; did you mean "lower-limits"?',
    ],
    ["a response in the wrong case", { volume: "Block" }, "spec.anomaly.volume", 'did you mean "block"?'],
    [
      "a response that is not a string",
      { volume: true },
      "spec.anomaly.volume",
      "expected one of alert, lower-limits, block, got boolean true",
    ],
    ["a null response", { sharing: null }, "spec.anomaly.sharing", "expected one of alert, lower-limits, block, got null"],
    ["a list of responses", { volume: ["alert", "block"] }, "spec.anomaly.volume", "got a list"],
    ["a bare response instead of a mapping", "block", "spec.anomaly", 'expected a mapping, got the string "block"'],
    ["a list of rules", ["volume"], "spec.anomaly", "expected a mapping, got a list"],
    [
      "an inherited key",
      JSON.parse('{"__proto__": {"volume": "block"}}') as unknown,
      "spec.anomaly.__proto__",
      'unknown anomaly rule "__proto__"',
    ],
  ])("rejects %s", (_name, anomaly, path, message) => {
    expect(issuesOf(anomaly)).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it("reports every wrong entry in one pass", () => {
    expect(
      issuesOf({ volume: "ban", theft: "block", sharing: "block" })
        .map((i) => i.path)
        .sort(),
    ).toEqual(["spec.anomaly.theft", "spec.anomaly.volume"]);
  });
});

describe("list sizes the CRD caps", () => {
  const policyWith = (spec: Record<string, unknown>) => ({
    apiVersion: "modelgate.io/v1alpha1",
    kind: "AccessPolicy",
    metadata: { name: "p", namespace: "default" },
    spec: { models: ["m"], rules: [{ name: "r", effect: "Allow", subjects: [{}], actions: ["read"] }], ...spec },
  });
  const rule = (i: number) => ({ name: `r${i}`, effect: "Allow", subjects: [{}], actions: ["read"] });

  it.each<[string, Record<string, unknown>, string]>([
    ["257 model globs", { models: Array.from({ length: 257 }, (_, i) => `m${i}`) }, "spec.models"],
    ["129 rules", { rules: Array.from({ length: 129 }, (_, i) => rule(i)) }, "spec.rules"],
    ["17 policy-wide limits", { limits: Array.from({ length: 17 }, (_, i) => ({ name: `l${i}`, requests: 1, per: "1m" })) }, "spec.limits"],
    ["65 actions in a rule", { rules: [{ ...rule(0), actions: Array.from({ length: 65 }, (_, i) => `a${i}`) }] }, "spec.rules[0].actions"],
  ])("refuses %s", (_name, spec, path) => {
    const result = parseAccessPolicy(policyWith(spec));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContainEqual({ path, message: expect.stringContaining("must have at most") });
  });

  it("accepts lists at the cap", () => {
    expect(parseAccessPolicy(policyWith({ rules: Array.from({ length: 128 }, (_, i) => rule(i)) })).ok).toBe(true);
  });
});
