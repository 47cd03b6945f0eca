import { describe, expect, it } from "vitest";
import { findingOf } from "../../../src/core/anomaly/finding.ts";
import { NO_POLICY_RESPONSES, type PolicyResponses } from "../../../src/core/anomaly/policy-responses.ts";
import { chooseResponse } from "../../../src/core/anomaly/response-choice.ts";
import { credentialKeyOf, identityKeyOf, observeDecision, type IdentityRendering } from "../../../src/core/anomaly/observation.ts";
import { PendingDecisions } from "../../../src/core/anomaly/pending-decisions.ts";
import { observeDecisionRecord, outcomeFactsOf } from "../../../src/core/anomaly/record-observation.ts";
import { auditInputOf, buildAuditRecord } from "../../../src/core/audit/record.ts";
import type { Decision } from "../../../src/core/decision.ts";
import { ANONYMOUS } from "../../../src/core/identity/identity.ts";
import { decisionOf, person, T0, testConfig } from "./patterns.ts";
import { HMAC_KEY } from "./records.ts";

// Online the rules see the Decision, offline its audit record: both must yield the same
// observation, or `audit analyze` would disagree with the alerts.

const DENIALS = [400, 403];
const plain: IdentityRendering = { subjects: "plain", hmacKey: undefined };
const hmac: IdentityRendering = { subjects: "hmac", hmacKey: HMAC_KEY };

const fromRecord = (d: Decision, subjects: "plain" | "hmac") =>
  observeDecisionRecord(buildAuditRecord(auditInputOf(d, d.request, 1), HMAC_KEY, d.decidedAt, { subjects }), DENIALS);

const hostile = { ...person("x"), subject: `evil\n\u001b[31m${"y".repeat(5000)}` };

describe("observations", () => {
  it.each([
    ["an allowed API-key call", decisionOf({ who: person("alice"), at: T0, model: "m", address: "10.0.0.1:5" })],
    ["a denied JWT call", decisionOf({ who: person("bob", "jwt"), at: T0, model: "m", address: "[2001:db8::1]:5", denied: true })],
    ["a call with a hostile, oversized subject", decisionOf({ who: hostile, at: T0, model: "m".repeat(900), address: "10.0.0.1:5" })],
  ])("%s: the decision and its record observe the same", (_name, d) => {
    for (const [rendering, subjects] of [
      [plain, "plain"],
      [hmac, "hmac"],
    ] as const) {
      const online = observeDecision(d, rendering, DENIALS);
      expect(online).toBeDefined();
      expect(fromRecord(d, subjects)).toEqual(online);
    }
  });

  it.each([
    ["allowed", { denied: false }, false],
    ["denied 403", { denied: true }, true],
  ])("a %s decision is bad: %s", (_name, extra, bad) => {
    const d = decisionOf({ who: person("alice"), at: T0, model: "m", address: "10.0.0.1:5", ...extra });
    expect(observeDecision(d, plain, DENIALS)?.bad).toBe(bad);
    expect(observeDecision(d, plain, [400])?.bad).toBe(false);
  });

  it("never observes anonymous callers or decisions without an identity", () => {
    const d = decisionOf({ who: ANONYMOUS, at: T0, model: "m", address: "10.0.0.1:5" });
    expect(observeDecision(d, plain, DENIALS)).toBeUndefined();
    expect(observeDecision({ ...d, identity: undefined }, plain, DENIALS)).toBeUndefined();
    expect(fromRecord(d, "plain")).toBeUndefined();
  });

  it("keys never contain the subject and tell credentials of one subject apart", () => {
    const a = { method: "apikey", subject: "alice@example.com", issuer: "keys", keyId: "k1" };
    const key = identityKeyOf(a);
    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(key).not.toContain("alice");
    expect(identityKeyOf({ ...a, keyId: "k2" })).toBe(key);
    expect(credentialKeyOf({ ...a, keyId: "k2" })).not.toBe(credentialKeyOf(a));
    const jwt = { ...a, method: "jwt", keyId: "kid-1" };
    expect(credentialKeyOf({ ...jwt, keyId: "kid-2" })).toBe(credentialKeyOf(jwt));
  });

  it("reads outcome records", () => {
    expect(outcomeFactsOf({ type: "outcome", decision_id: "d-1", decision: "allow", response_code: 503 })).toEqual({
      decisionId: "d-1",
      allowed: true,
      responseCode: 503,
    });
    expect(outcomeFactsOf({ type: "outcome", decision: "allow", response_code: 503 })).toBeUndefined();
  });
});

describe("chooseResponse", () => {
  const config = testConfig({
    rules: { volume: { response: "lower-limits", limitFactor: 0.25, period: "30m" }, sharing: { response: "alert", period: "1h" } },
  });

  it.each([
    ["the rule's own response", "volume", undefined, { action: "lower-limits", periodMs: 1_800_000, limitFactor: 0.25 }],
    ["alert by default", "probing", undefined, { action: "alert", periodMs: 0, limitFactor: 1 }],
    [
      "the policy's block over the rule's alert, for the rule's period",
      "sharing",
      "block",
      { action: "block", periodMs: 3_600_000, limitFactor: 1 },
    ],
    [
      "the policy's lower-limits with the rule's factor and period",
      "volume",
      "lower-limits",
      { action: "lower-limits", periodMs: 1_800_000, limitFactor: 0.25 },
    ],
    ["the policy's alert over the rule's lower-limits", "volume", "alert", { action: "alert", periodMs: 0, limitFactor: 1 }],
  ] as const)("%s", (_name, rule, chosenByPolicy, response) => {
    expect(chooseResponse(config, rule, chosenByPolicy)).toEqual(response);
  });
});

describe("findingOf: the response of the decision's policy", () => {
  const config = testConfig({
    rules: { volume: { response: "lower-limits", limitFactor: 0.25, period: "30m" }, sharing: { response: "alert", period: "1h" } },
  });
  const models = { namespace: "ml", name: "models", generation: 1, rule: "team-ml" };
  // What the policy index answers: ml/models chooses `block` for sharing (its spec.anomaly),
  // ml/quiet has a spec.anomaly that says nothing; any other policy is not loaded.
  const responses: PolicyResponses = (ref) =>
    ref.namespace !== "ml" ? undefined : ref.name === "models" ? { sharing: "block" } : ref.name === "quiet" ? {} : undefined;
  const observed = observeDecision(decisionOf({ who: person("alice"), at: T0, model: "m", address: "10.0.0.1:5" }), plain, DENIALS);

  it.each([
    ["the policy's choice wins over the rule's response", "sharing", models, "block"],
    ["the rule's when the policy says nothing about this rule", "volume", models, "lower-limits"],
    ["the rule's when the policy has an empty spec.anomaly", "sharing", { ...models, name: "quiet" }, "alert"],
    ["the rule's when the policy is not loaded (any more)", "sharing", { ...models, name: "gone" }, "alert"],
    ["the rule's when no policy made the decision (policy_no_match)", "sharing", undefined, "alert"],
  ] as const)("%s", (_name, rule, policy, action) => {
    if (observed === undefined) throw new Error("the decision was not observed");
    const finding = findingOf({ rule, values: [1, 0, 0] }, { ...observed, policy }, config, responses);
    expect(finding.response).toEqual(chooseResponse(config, rule, action));
    expect(finding.policy).toEqual(policy);
  });

  it("uses no policy's choice without a lookup (NO_POLICY_RESPONSES)", () => {
    if (observed === undefined) throw new Error("the decision was not observed");
    expect(findingOf({ rule: "sharing", values: [6] }, { ...observed, policy: models }, config, NO_POLICY_RESPONSES).response.action).toBe(
      "alert",
    );
  });
});

describe("PendingDecisions", () => {
  it("returns a pending value once, within the wait", () => {
    const p = new PendingDecisions<string>(10, 1000);
    p.note("r-1", "a", 0);
    expect(p.take("r-1", 500)).toBe("a");
    expect(p.take("r-1", 500)).toBeUndefined();
    p.note("r-2", "b", 0);
    expect(p.take("r-2", 1001)).toBeUndefined();
  });

  it("is bounded: the oldest goes first, counted", () => {
    const p = new PendingDecisions<number>(3, 60_000);
    for (let i = 0; i < 5; i += 1) p.note(`r-${i}`, i, i);
    expect(p.size).toBe(3);
    expect(p.evicted).toBe(2);
    expect(p.take("r-0", 10)).toBeUndefined();
    expect(p.take("r-4", 10)).toBe(4);
  });

  it("expires old entries as new ones arrive", () => {
    const p = new PendingDecisions<number>(100, 1000);
    p.note("old", 1, 0);
    p.note("new", 2, 5000);
    expect(p.size).toBe(1);
  });
});
