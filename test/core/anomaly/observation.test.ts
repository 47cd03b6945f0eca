import { describe, expect, it } from "vitest";
import { chooseResponse } from "../../../src/core/anomaly/response-choice.ts";
import { credentialKeyOf, identityKeyOf, observeDecision, type IdentityRendering } from "../../../src/core/anomaly/observation.ts";
import { PendingDecisions } from "../../../src/core/anomaly/pending-decisions.ts";
import { observeDecisionRecord, outcomeFactsOf } from "../../../src/core/anomaly/record-observation.ts";
import { auditInputOf, buildAuditRecord } from "../../../src/core/audit/record.ts";
import type { Decision } from "../../../src/core/decision.ts";
import { ANONYMOUS } from "../../../src/core/identity.ts";
import { decisionOf, person, T0, testConfig } from "./patterns.ts";
import type { PolicyResponses } from "../../../src/core/anomaly/policy-responses.ts";
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
    for (const [rendering, subjects] of [[plain, "plain"], [hmac, "hmac"]] as const) {
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
    expect(outcomeFactsOf({ type: "outcome", decision_id: "d-1", decision: "allow", response_code: 503 })).toEqual({ decisionId: "d-1", allowed: true, responseCode: 503 });
    expect(outcomeFactsOf({ type: "outcome", decision: "allow", response_code: 503 })).toBeUndefined();
  });
});

describe("chooseResponse", () => {
  const config = testConfig({ rules: { volume: { response: "lower-limits", limitFactor: 0.25, period: "30m" }, sharing: { response: "alert", period: "1h" } } });
  const policy = { namespace: "ml", name: "models", generation: 1, rule: "r" };
  // What the policy index answers: ml/models chooses `block` for sharing (its spec.anomaly).
  const responses: PolicyResponses = (ref) => (ref.namespace === "ml" && ref.name === "models" ? { sharing: "block" } : undefined);

  it.each([
    ["the rule's own response", "volume", undefined, { action: "lower-limits", periodMs: 1_800_000, limitFactor: 0.25 }],
    ["alert by default", "probing", undefined, { action: "alert", periodMs: 0, limitFactor: 1 }],
    ["the policy's choice over the rule's", "sharing", policy, { action: "block", periodMs: 3_600_000, limitFactor: 1 }],
    ["the rule's when the policy says nothing about it", "volume", policy, { action: "lower-limits", periodMs: 1_800_000, limitFactor: 0.25 }],
    ["the rule's for another policy", "sharing", { ...policy, name: "other" }, { action: "alert", periodMs: 0, limitFactor: 1 }],
  ] as const)("%s", (_name, rule, p, response) => {
    expect(chooseResponse(config, rule, p, responses)).toEqual(response);
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
