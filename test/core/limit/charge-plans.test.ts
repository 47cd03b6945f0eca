import { describe, expect, it } from "vitest";
import { ANONYMOUS, type Identity } from "../../../src/core/identity/identity.ts";
import { chargePlans, type AllowEvaluation } from "../../../src/core/limit/charge-plans.ts";
import { sha256Digest } from "../../../src/core/limit/key-digest.ts";
import { limitCharge, penaltyKey, sanctionKey } from "../../../src/core/limit/limit-keys.ts";
import type { LimitKey, LimitSpec, PolicyRef } from "../../../src/core/policy/types.ts";

// The charge request kept per caller and allowing rule must be exactly the one built fresh,
// whichever request asks; only what the keys depend on may tell entries apart.

const POLICY: PolicyRef = { namespace: "ml", name: "fraud", generation: 1, rule: "predict" };
const BOX = { violations: 3, withinMs: 60_000, blockMs: 60_000, maxBlockMs: 600_000 };

function limit(name: string, by: LimitKey = { kind: "identity" }): LimitSpec {
  return { name, requests: 5, periodMs: 60_000, burst: 5, by };
}

function allow(ruleLimits: LimitSpec[], policyLimits: LimitSpec[] = []): AllowEvaluation {
  return { effect: "allow", policy: POLICY, ruleLimits, policyLimits, failureMode: "closed", penaltyBox: BOX };
}

function person(subject: string): Identity {
  return Object.freeze({ ...ANONYMOUS, method: "apikey", subject, issuer: "keys", attributes: { org: "acme" } });
}

// What decide built on every request before the plans were kept.
function fresh(evaluation: AllowEvaluation, identity: Identity, model: string, sourceAddress: string, sanctions: boolean) {
  const ctx = { identity, model, sourceAddress, digest: sha256Digest };
  const charges = [
    ...evaluation.ruleLimits.map((l) => limitCharge(POLICY, POLICY.rule, l, ctx)),
    ...evaluation.policyLimits.map((l) => limitCharge(POLICY, "", l, ctx)),
  ];
  return {
    charges,
    cost: 1,
    failClosed: charges.length > 0,
    penaltyBox: { key: penaltyKey(POLICY, ctx), spec: BOX },
    ...(sanctions && identity.method !== "anonymous" ? { sanction: sanctionKey(identity, sha256Digest) } : {}),
  };
}

const alice = person("alice");
const bob = person("bob");

describe("chargePlans", () => {
  it.each<[string, AllowEvaluation]>([
    ["identity limits", allow([limit("minute")], [limit("org", { kind: "attribute", name: "org" })])],
    ["an identity+model limit", allow([limit("minute"), limit("per-model", { kind: "identity-model" })])],
    ["a source-address limit", allow([limit("by-peer", { kind: "source" })])],
    ["no limits", allow([])],
  ])("gives the same request as one built fresh, for %s", (_name, evaluation) => {
    const plans = chargePlans({ digest: sha256Digest, sanctions: true });
    for (const [who, model, peer] of [
      [alice, "fraud-a", "10.0.0.1:1000"],
      [alice, "fraud-b", "10.0.0.2:1001"],
      [bob, "fraud-a", "10.0.0.1:1002"],
      [alice, "fraud-a", "10.0.0.3:1003"],
      [ANONYMOUS, "fraud-a", "10.0.0.1:1004"],
    ] as const) {
      expect(plans.chargeRequest(evaluation, who, model, peer)).toEqual(fresh(evaluation, who, model, peer, true));
    }
  });

  it("keeps one request per caller and rule, and per model only when a limit is keyed by the model", () => {
    const plans = chargePlans({ digest: sha256Digest, sanctions: false });
    const perCaller = allow([limit("minute")]);
    const perModel = allow([limit("per-model", { kind: "identity-model" })]);
    expect(plans.chargeRequest(perCaller, alice, "fraud-a", "p:1")).toBe(plans.chargeRequest(perCaller, alice, "fraud-b", "p:2"));
    expect(plans.chargeRequest(perModel, alice, "fraud-a", "p:1")).toBe(plans.chargeRequest(perModel, alice, "fraud-a", "p:2"));
    expect(plans.chargeRequest(perModel, alice, "fraud-a", "p:1")).not.toBe(plans.chargeRequest(perModel, alice, "fraud-b", "p:1"));
    expect(plans.chargeRequest(perCaller, alice, "fraud-a", "p:1")).not.toBe(plans.chargeRequest(perCaller, bob, "fraud-a", "p:1"));
    expect(Object.isFrozen(plans.chargeRequest(perCaller, alice, "fraud-a", "p:1").charges)).toBe(true);
  });

  it("tells a reloaded rule apart from the one it replaced, even with the same names", () => {
    const plans = chargePlans({ digest: sha256Digest, sanctions: false });
    const before = allow([limit("minute")]);
    const reloaded = allow([limit("minute", { kind: "identity-model" })]);
    const a = plans.chargeRequest(before, alice, "fraud-a", "p:1");
    const b = plans.chargeRequest(reloaded, alice, "fraud-a", "p:1");
    expect(b).not.toBe(a);
    expect(b).toEqual(fresh(reloaded, alice, "fraud-a", "p:1", false));
  });

  it("stays right past its bound on models per caller and rule", () => {
    const plans = chargePlans({ digest: sha256Digest, sanctions: false, modelsPerPlan: 2 });
    const perModel = allow([limit("per-model", { kind: "identity-model" })]);
    for (const model of ["m1", "m2", "m3", "m1", "m4", "m2"]) {
      expect(plans.chargeRequest(perModel, alice, model, "p:1")).toEqual(fresh(perModel, alice, model, "p:1", false));
    }
  });
});
