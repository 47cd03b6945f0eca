import { describe, expect, it } from "vitest";
import type { Identity } from "../../../src/core/identity/identity.ts";
import type { EvaluationInput } from "../../../src/core/policy/types.ts";
import { anonymous, compiled, identity, input, policyDoc } from "./builders.ts";

const alice = identity({ subject: "alice@example.com", groups: ["scorers"], attributes: { team: "fraud" } });
const bob = identity({ subject: "bob@example.com", groups: ["auditors"], attributes: { team: ["risk", "ops"] } });
const scorer = identity({
  method: "mtls",
  subject: "spiffe://cluster.local/ns/batch/sa/scorer",
  issuer: "cluster-ca",
  attributes: { spiffe_id: "spiffe://cluster.local/ns/batch/sa/scorer" },
});

interface Outcome {
  readonly effect: "allow" | "deny";
  readonly policy?: string;
  readonly rule?: string;
  readonly reason?: string;
}

function decide(docs: readonly unknown[], evaluationInput: EvaluationInput): Outcome {
  const evaluation = compiled(...docs).index.evaluate(evaluationInput);
  if (evaluation.effect === "allow") return { effect: "allow", policy: evaluation.policy.name, rule: evaluation.policy.rule };
  return evaluation.policy === undefined
    ? { effect: "deny", reason: evaluation.reason }
    : { effect: "deny", reason: evaluation.reason, policy: evaluation.policy.name, rule: evaluation.policy.rule };
}

const NO_MATCH: Outcome = { effect: "deny", reason: "policy_no_match" };

describe("deny wins and ordering", () => {
  const allowAll = policyDoc([{ name: "everyone" }], { name: "allow-all", priority: 100 });
  const denyBob = policyDoc([{ name: "no-bob", effect: "Deny", subjects: [{ subject: "bob@*" }] }], { name: "zz-deny", priority: -5 });
  const high = policyDoc([{ name: "high", subjects: [{ groups: ["scorers"] }] }], { name: "b-high", priority: 10 });
  const low = policyDoc([{ name: "low", subjects: [{ groups: ["scorers"] }] }], { name: "a-low" });
  const sameA = policyDoc([{ name: "a-rule" }], { name: "alpha" });
  const sameB = policyDoc([{ name: "b-rule" }], { name: "beta" });
  const other = policyDoc([{ name: "x" }], { name: "other-ns", namespace: "aaa" });

  it.each<[string, readonly unknown[], Identity, Outcome]>([
    [
      "a Deny in a low-priority policy beats an Allow in a high one",
      [allowAll, denyBob],
      bob,
      { effect: "deny", reason: "policy_denied", policy: "zz-deny", rule: "no-bob" },
    ],
    ["the Deny does not touch other identities", [allowAll, denyBob], alice, { effect: "allow", policy: "allow-all", rule: "everyone" }],
    ["higher priority decides first", [low, high], alice, { effect: "allow", policy: "b-high", rule: "high" }],
    ["equal priority: name order", [sameB, sameA], alice, { effect: "allow", policy: "alpha", rule: "a-rule" }],
    ["equal priority: namespace before name", [sameA, other], alice, { effect: "allow", policy: "other-ns", rule: "x" }],
    ["no policy, no access", [], alice, NO_MATCH],
  ])("%s", (_, docs, who, expected) => {
    expect(decide(docs, input({ identity: who }))).toEqual(expected);
  });
});

describe("first matching Allow decides and carries its limits", () => {
  const tiers = policyDoc(
    [
      { name: "gold", subjects: [{ attributes: { tier: "gold" } }], limits: [{ name: "minute", requests: 1200, per: "1m" }] },
      { name: "default", limits: [{ name: "minute", requests: 60, per: "1m", burst: 10, by: "identity+model" }] },
    ],
    { name: "tiers", limits: [{ name: "org-hour", requests: 50000, per: "1h", by: "attribute:org" }] },
  );
  const governingToo = policyDoc([{ name: "never", subjects: [{ method: "apikey" }] }], {
    name: "zzz-other",
    limits: [{ name: "other", requests: 1, per: "1s" }],
  });

  it.each<[string, Identity, string, readonly string[]]>([
    ["gold tier", identity({ attributes: { tier: "gold" } }), "gold", ["minute:1200/60000"]],
    ["everyone else", identity(), "default", ["minute:60/60000"]],
  ])("%s", (_, who, rule, ruleLimits) => {
    const evaluation = compiled(tiers, governingToo).index.evaluate(input({ identity: who }));
    if (evaluation.effect !== "allow") return expect.fail("expected allow");
    expect(evaluation.policy).toEqual({ namespace: "ml-prod", name: "tiers", generation: 0, rule });
    expect(evaluation.ruleLimits.map((l) => `${l.name}:${l.requests}/${l.periodMs}`)).toEqual(ruleLimits);
    // Policy-wide limits come from the allowing policy only, never from other governing policies.
    expect(evaluation.policyLimits).toEqual([
      { name: "org-hour", requests: 50000, periodMs: 3_600_000, burst: 50000, by: { kind: "attribute", name: "org" } },
    ]);
  });

  it("limit defaults: burst = requests, keyed by identity", () => {
    const evaluation = compiled(tiers).index.evaluate(input({ identity: identity({ attributes: { tier: "gold" } }) }));
    expect(evaluation.effect === "allow" && evaluation.ruleLimits[0]).toEqual({
      name: "minute",
      requests: 1200,
      periodMs: 60_000,
      burst: 1200,
      by: { kind: "identity" },
    });
  });
});

describe("actions", () => {
  const wildcard = policyDoc([{ name: "all", actions: ["*"] }]);
  const named = policyDoc([{ name: "ops", actions: ["admin", "unknown"] }]);
  const denyAll = policyDoc([{ name: "freeze", effect: "Deny", actions: ["*"] }], { name: "freeze" });
  const adminAllowed = policyDoc([{ name: "ops", actions: ["admin"] }], { name: "ops" });

  it.each<[string, readonly unknown[], string, Outcome["effect"]]>([
    ["* covers predict", [wildcard], "predict", "allow"],
    ["* covers a custom route action", [wildcard], "train", "allow"],
    ["* in Allow does not cover admin", [wildcard], "admin", "deny"],
    ["* in Allow does not cover unknown", [wildcard], "unknown", "deny"],
    ["admin named explicitly", [named], "admin", "allow"],
    ["unknown named explicitly", [named], "unknown", "allow"],
    ["named actions only", [named], "predict", "deny"],
    ["* in Deny covers admin too", [denyAll, adminAllowed], "admin", "deny"],
  ])("%s", (_, docs, action, effect) => {
    expect(decide(docs, input({ action })).effect).toBe(effect);
  });
});

describe("subjects", () => {
  const rule = (subjects: readonly object[]) => [policyDoc([{ name: "r", subjects }])];
  it.each<[string, readonly object[], Identity, Outcome["effect"]]>([
    ["{} matches anonymous", [{}], anonymous, "allow"],
    ["{} matches anyone", [{}], scorer, "allow"],
    ["method", [{ method: "anonymous" }], anonymous, "allow"],
    ["method mismatch", [{ method: "apikey" }], alice, "deny"],
    ["subject glob", [{ subject: "*@example.com" }], alice, "allow"],
    ["subject glob crosses / and :", [{ subject: "spiffe://*" }], scorer, "allow"],
    ["subject * never matches anonymous", [{ subject: "*" }], anonymous, "deny"],
    ["issuer exact", [{ issuer: "https://login.example.com/" }], alice, "allow"],
    ["issuer is not a glob or prefix", [{ issuer: "https://login.example.com" }], alice, "deny"],
    ["groups: any of", [{ groups: ["admins", "scorers"] }], alice, "allow"],
    ["groups: none of", [{ groups: ["admins"] }], bob, "deny"],
    ["attribute string", [{ attributes: { team: "fraud" } }], alice, "allow"],
    ["attribute list in matcher: any of", [{ attributes: { team: ["risk", "fraud"] } }], alice, "allow"],
    ["identity attribute list: any element", [{ attributes: { team: "ops" } }], bob, "allow"],
    ["list vs list: any overlap", [{ attributes: { team: ["x", "risk"] } }], bob, "allow"],
    ["all keys must match", [{ attributes: { team: "fraud", tier: "gold" } }], alice, "deny"],
    ["missing attribute", [{ attributes: { tier: "gold" } }], alice, "deny"],
    ["fields within one entry AND", [{ method: "jwt", groups: ["auditors"] }], alice, "deny"],
    ["entries OR", [{ groups: ["auditors"] }, { attributes: { team: "fraud" } }], alice, "allow"],
    ["spiffe glob", [{ spiffe: "spiffe://cluster.local/ns/*/sa/scorer" }], scorer, "allow"],
    ["spiffe ** glob", [{ spiffe: "spiffe://cluster.local/**" }], scorer, "allow"],
    ["spiffe * is one segment", [{ spiffe: "spiffe://cluster.local/ns/*" }], scorer, "deny"],
    ["spiffe trust domain must be equal", [{ spiffe: "spiffe://other.local/**" }], scorer, "deny"],
    [
      "spiffe from a non-mTLS identity never matches",
      [{ spiffe: "spiffe://cluster.local/**" }],
      identity({ attributes: { spiffe_id: "spiffe://cluster.local/ns/a/sa/b" } }),
      "deny",
    ],
  ])("%s", (_, subjects, who, effect) => {
    expect(decide(rule(subjects), input({ identity: who })).effect).toBe(effect);
  });

  it("anonymous with no rule for it is policy_no_match (the pipeline answers 401)", () => {
    expect(decide(rule([{ method: "jwt" }]), input({ identity: anonymous }))).toEqual(NO_MATCH);
  });
});

describe("model globs select the governing policies", () => {
  it.each<[string, string, Outcome["effect"]]>([
    ["fraud-*", "fraud-detector", "allow"],
    ["fraud-*", "fraud/detector", "deny"],
    ["fraud-*", "fraud-a/b", "deny"],
    ["llm/*", "llm/gpt", "allow"],
    ["llm/*", "llm/gpt/v2", "deny"],
    ["llm/**", "llm/gpt/v2", "allow"],
    ["llm/**", "llm", "allow"],
    ["*/chat", "meta/chat", "allow"],
    ["fraud-detector", "fraud-detector-v2", "deny"],
    // The model "" is a route that names no model (server health, metadata, the model list):
    // Allow rules reach it only through the reserved entry (server), never through a catch-all.
    ["*", "", "deny"],
    ["**", "", "deny"],
    ["(server)", "", "allow"],
    ["(server)", "fraud-detector", "deny"],
    ["(server)", "(server)", "deny"],
    ["fraud-*", "", "deny"],
    ["*", "a/b", "deny"],
    ["**", "a/b", "allow"],
  ])("%s governs %j: %s", (glob, model, effect) => {
    expect(decide([policyDoc([{ name: "r" }], { models: [glob] })], input({ model })).effect).toBe(effect);
  });

  it("(server) beside globs covers both the named models and the server-wide routes", () => {
    const both = [policyDoc([{ name: "r" }], { models: ["fraud-*", "(server)"] })];
    expect(["fraud-x", "", "other"].map((model) => decide(both, input({ model })).effect)).toEqual(["allow", "allow", "deny"]);
  });

  it.each(["*", "**"])("a Deny rule under %s still covers the server-wide routes: a broad denial fails safe", (glob) => {
    const docs = [
      policyDoc([{ name: "server", actions: ["health"] }], { name: "server", models: ["(server)"] }),
      policyDoc([{ name: "stop", effect: "Deny", subjects: [{}], actions: ["*"] }], { name: "stop", models: [glob] }),
    ];
    expect(decide(docs, input({ model: "", action: "health" }))).toMatchObject({ effect: "deny", reason: "policy_denied" });
  });
});
