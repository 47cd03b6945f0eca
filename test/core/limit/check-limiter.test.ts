import { describe, expect, it } from "vitest";
import { buildCheckRequest } from "../../../src/adapters/grpc/build-check-request.ts";
import { checkPorts, type CheckPorts } from "../../../src/core/check-ports.ts";
import { decide } from "../../../src/core/decide.ts";
import { recordForKey } from "../../../src/core/identity/api-key-record.ts";
import { apiKeySource } from "../../../src/core/identity/api-key-source.ts";
import { buildKeyIndex } from "../../../src/core/identity/key-store.ts";
import type { ChargeRequest, Limiter, LimitVerdict } from "../../../src/core/limit/limiter-port.ts";
import { compilePolicies } from "../../../src/core/policy/compile.ts";
import { parsePolicyYaml } from "../../../src/core/policy/load-yaml.ts";
import { mintFrom, T0 } from "../identity/helpers.ts";

// The pipeline's limiter step: what it asks the limiter, and how each verdict becomes a decision.

const POLICIES = (failureMode: string) => `
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: fraud, namespace: default }
spec:
  models: ["fraud-*"]
  failureMode: ${failureMode}
  penaltyBox: { violations: 5, within: 2m, block: 10m }
  rules:
    - name: scientists
      effect: Allow
      subjects: [{ attributes: { team: data_science } }]
      actions: [predict]
      limits:
        - { name: minute, requests: 10, per: 1m }
        - { name: trial, requests: 1, per: 1h, shadow: true }
  limits: [{ name: org-day, requests: 100, per: 1d, by: "attribute:org" }]
---
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: metadata, namespace: default }
spec:
  models: ["fraud-*"]
  failureMode: ${failureMode}
  rules:
    - name: readers
      effect: Allow
      subjects: [{}]
      actions: [read]
`;

const dana = mintFrom("dana-limiter");

// A limiter that records what it was asked and answers with a fixed verdict.
function recording(verdict: LimitVerdict) {
  const asked: ChargeRequest[] = [];
  const limiter: Limiter = { charge: (request) => (asked.push(request), Promise.resolve(verdict)) };
  return { asked, limiter };
}

function ports(limiter: Limiter, failureMode = "open", sanctions = false): CheckPorts {
  const parsed = parsePolicyYaml(POLICIES(failureMode), "p.yaml");
  expect(parsed.issues).toEqual([]);
  const record = recordForKey(dana.key, { subject: "dana", attributes: { team: "data_science", org: "acme" } }, T0);
  const keys = buildKeyIndex(record.ok ? [record.value] : expect.fail("bad key")).index;
  return checkPorts({
    deployment: { profile: "kserve-v1", defaultModel: "fraud-detector", environment: "" },
    sources: [apiKeySource({ keys: () => keys })],
    policies: () => compilePolicies(parsed.policies).index,
    limiter,
    sanctions,
    now: () => T0,
    newId: () => "d-1",
  });
}

const predict = buildCheckRequest({ method: "POST", path: "/v1/models/fraud-detector:predict", headers: { "x-api-key": dana.key } });
const read = buildCheckRequest({ method: "GET", path: "/v1/models/fraud-detector", headers: { "x-api-key": dana.key } });
const ALLOWED: LimitVerdict = { kind: "allowed", states: [], mode: "redis" };

describe("the limiter step of decide()", () => {
  it.each([
    ["open", false],
    ["closed", true],
  ])("asks for every limit, cost 1, the penalty box and failClosed for failureMode %s", async (mode, failClosed) => {
    const { asked, limiter } = recording(ALLOWED);
    await decide(predict, ports(limiter, mode));
    expect(asked).toHaveLength(1);
    const [request] = asked;
    expect(request?.charges.map((c) => [c.limit.name, c.limit.shadow === true])).toEqual([
      ["minute", false],
      ["trial", true],
      ["org-day", false],
    ]);
    expect(request).toMatchObject({
      cost: 1,
      failClosed,
      penaltyBox: { spec: { violations: 5, withinMs: 120_000, blockMs: 600_000, maxBlockMs: 3_600_000 } },
    });
    expect(request?.penaltyBox?.key).toMatch(/^mg:pb:\{/);
  });

  it("skips the limiter when no limit applies", async () => {
    const { asked, limiter } = recording(ALLOWED);
    expect(await decide(read, ports(limiter))).toMatchObject({ allowed: true, rateLimit: undefined });
    expect(asked).toEqual([]);
  });

  it("with sanctions on, asks even without limits, with the caller's sanction key", async () => {
    const { asked, limiter } = recording(ALLOWED);
    expect(await decide(read, ports(limiter, "open", true))).toMatchObject({ allowed: true });
    expect(asked).toHaveLength(1);
    expect(asked[0]?.charges).toEqual([]);
    expect(asked[0]?.sanction).toMatch(/^mg:sx:\{[A-Za-z0-9_-]{22}\}$/);
  });

  it("with sanctions on, the caller's own counters are marked and the org counter is not", async () => {
    const { asked, limiter } = recording(ALLOWED);
    await decide(predict, ports(limiter, "open", true));
    expect(asked[0]?.charges.map((c) => [c.limit.name, c.callerOwned])).toEqual([
      ["minute", true],
      ["trial", true],
      ["org-day", false],
    ]);
    // The sanction key carries the caller's hash tag, like its own counters (one Cluster slot).
    const tag = (key: string | undefined) => key?.slice(key.indexOf("{"), key.indexOf("}") + 1);
    expect(tag(asked[0]?.sanction)).toBe(tag(asked[0]?.charges[0]?.key));
  });

  it("with sanctions on, a request without limits never fails closed (only limits do)", async () => {
    const { asked, limiter } = recording(ALLOWED);
    await decide(read, ports(limiter, "closed", true));
    await decide(predict, ports(limiter, "closed", true));
    expect(asked.map((r) => [r.charges.length, r.failClosed])).toEqual([
      [0, false],
      [3, true],
    ]);
  });

  it("with sanctions on, an anonymous caller is never asked about (no anomaly rule judges one)", async () => {
    const { asked, limiter } = recording(ALLOWED);
    const anonymousRead = buildCheckRequest({ method: "GET", path: "/v1/models/fraud-detector" });
    expect(await decide(anonymousRead, ports(limiter, "open", true))).toMatchObject({ allowed: true });
    expect(asked).toEqual([]);
  });

  it.each<[string, LimitVerdict, object]>([
    ["allowed", ALLOWED, { allowed: true, rateLimit: { mode: "redis", violated: [], retryAfterSeconds: 0 } }],
    [
      "allowed over a shadow limit",
      { kind: "allowed", states: [], mode: "local", shadowed: ["trial"] },
      { allowed: true, rateLimit: { mode: "local", shadowed: ["trial"] } },
    ],
    [
      "limited",
      { kind: "limited", states: [], violated: ["minute"], retryAfterSeconds: 6, mode: "redis" },
      { allowed: false, reason: "rate_limited", rateLimit: { violated: ["minute"], retryAfterSeconds: 6 } },
    ],
    [
      "blocked by the penalty box",
      { kind: "blocked", by: "penalty_box", states: [], retryAfterSeconds: 600, mode: "redis" },
      { allowed: false, reason: "penalty_box", rateLimit: { penaltyBox: true, violated: [], retryAfterSeconds: 600 } },
    ],
    [
      "blocked by an anomaly response",
      { kind: "blocked", by: "anomaly", states: [], retryAfterSeconds: 900, mode: "redis" },
      {
        allowed: false,
        reason: "anomaly_blocked",
        rateLimit: { penaltyBox: true, anomalyBlock: true, violated: [], retryAfterSeconds: 900 },
      },
    ],
    [
      "allowed under lowered limits",
      { kind: "allowed", states: [], mode: "redis", lowered: 250 },
      { allowed: true, reason: "allowed", rateLimit: { lowered: 250, violated: [] } },
    ],
    [
      "unavailable",
      { kind: "unavailable", detail: "redis down, fail closed" },
      { allowed: false, reason: "limiter_unavailable", detail: "redis down, fail closed" },
    ],
  ])("a verdict %s becomes the right decision", async (_name, verdict, expected) => {
    expect(await decide(predict, ports(recording(verdict).limiter))).toMatchObject(expected);
  });
});
