import { describe, expect, it } from "vitest";
import type { Identity } from "../../../src/core/identity/identity.ts";
import { hashTagOf, limitKey, penaltyKey, type KeyContext } from "../../../src/core/limit/limit-keys.ts";
import type { LimitKey, LimitSpec, PolicyRef } from "../../../src/core/policy/types.ts";

// Which Redis Cluster slot (hash tag) each counter lands in. Counters a caller owns share the
// caller's tag, so the common request (per-identity and per-identity+model limits, the penalty
// box) is one atomic script call on Cluster too. A counter shared by many callers (an org, a
// source address) must be one key for all of them, so it carries its own tag.

const POLICY: PolicyRef = { namespace: "ml-prod", name: "fraud", generation: 1, rule: "predict" };

function person(subject: string, org?: string): Identity {
  return { method: "apikey", subject, issuer: "keys", keyId: "k", groups: [], attributes: org === undefined ? {} : { org } };
}

function spec(name: string, by: LimitKey): LimitSpec {
  return { name, requests: 5, periodMs: 60_000, burst: 5, by };
}

function ctx(identity: Identity, model = "fraud-detector", sourceAddress = "10.0.0.1:5000"): KeyContext {
  return { identity, model, sourceAddress };
}

const alice = ctx(person("alice", "acme"));
const bob = ctx(person("bob", "acme"));
const byOrg = spec("org", { kind: "attribute", name: "org" });
const bySource = spec("ip", { kind: "source" });

describe("hash tags", () => {
  it("identity, identity+model and the penalty box of one caller share the caller's tag", () => {
    const tags = new Set([
      hashTagOf(limitKey(POLICY, "predict", spec("minute", { kind: "identity" }), alice)),
      hashTagOf(limitKey(POLICY, "predict", spec("per-model", { kind: "identity-model" }), alice)),
      hashTagOf(limitKey(POLICY, "predict", spec("per-model", { kind: "identity-model" }), { ...alice, model: "churn" })),
      hashTagOf(limitKey(POLICY, "", spec("missing-attr", { kind: "attribute", name: "team" }), alice)),
      hashTagOf(penaltyKey(POLICY, alice)),
    ]);
    expect(tags.size).toBe(1);
  });

  it.each<[string, LimitSpec]>([
    ["an org-wide counter", byOrg],
    ["a per-source counter", bySource],
  ])("%s is one key for every caller, with a tag of its own", (_name, limit) => {
    const a = limitKey(POLICY, "", limit, alice);
    expect(limitKey(POLICY, "", limit, bob)).toBe(a);
    expect(hashTagOf(a)).not.toBe(hashTagOf(limitKey(POLICY, "", spec("minute", { kind: "identity" }), alice)));
  });

  it("identity+model counters are per model, under the same tag", () => {
    const perModel = spec("per-model", { kind: "identity-model" });
    const a = limitKey(POLICY, "r", perModel, alice);
    const b = limitKey(POLICY, "r", perModel, { ...alice, model: "churn" });
    expect(a).not.toBe(b);
    expect(hashTagOf(a)).toBe(hashTagOf(b));
  });

  it("the penalty box is per caller and policy, not per rule", () => {
    expect(penaltyKey({ ...POLICY, rule: "other" }, alice)).toBe(penaltyKey(POLICY, alice));
    expect(penaltyKey({ ...POLICY, name: "other" }, alice)).not.toBe(penaltyKey(POLICY, alice));
    expect(penaltyKey(POLICY, bob)).not.toBe(penaltyKey(POLICY, alice));
    expect(penaltyKey(POLICY, alice)).toMatch(/^mg:pb:\{[A-Za-z0-9_-]{22}\}:[A-Za-z0-9_-]{22}$/);
  });

  it.each<[string, string]>([
    ["mg:rl:{abc}:x", "abc"],
    ["mg:pb:{abc}:{def}", "abc"],
    ["no-tag", "no-tag"],
    ["empty:{}:tag", "empty:{}:tag"],
  ])("hashTagOf(%s) is %s, as Redis Cluster reads it", (key, tag) => {
    expect(hashTagOf(key)).toBe(tag);
  });
});
