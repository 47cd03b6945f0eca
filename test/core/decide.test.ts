import { describe, expect, it } from "vitest";
import { checkPorts, type CheckPortParts, type CheckPorts } from "../../src/core/check-ports.ts";
import { decide } from "../../src/core/decide.ts";
import type { Decision } from "../../src/core/decision.ts";
import { apiKeySource } from "../../src/core/identity/api-key-source.ts";
import { buildKeyIndex } from "../../src/core/identity/key-store.ts";
import { recordForKey } from "../../src/core/identity/api-key-record.ts";
import type { Limiter } from "../../src/core/limit/limiter-port.ts";
import { compilePolicies } from "../../src/core/policy/compile.ts";
import { parsePolicyYaml } from "../../src/core/policy/load-yaml.ts";
import { LocalLimiter } from "../../src/adapters/limiter/local-limiter.ts";
import { buildCheckRequest, type HttpRequestSpec } from "../../src/adapters/grpc/build-check-request.ts";
import { mintFrom, T0 } from "./identity/helpers.ts";
import { mtlsSource } from "../../src/core/identity/mtls/mtls-source.ts";
import { DEFAULT_MTLS_CONFIG } from "../../src/core/identity/mtls/mtls-config.ts";
import { respond } from "../../src/core/respond.ts";

// The whole pipeline with plain in-memory ports: each row is one request and the decision
// facts it must produce.

const POLICIES = `
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: fraud, namespace: default, generation: 3 }
spec:
  models: ["fraud-*"]
  routes:
    - { method: POST, path: "/custom/{model}/retrain", action: train }
  rules:
    - name: scientists
      effect: Allow
      subjects: [{ attributes: { team: data_science } }]
      actions: [predict, read, train]
      limits: [{ name: burst, requests: 2, per: 1m }]
    - name: probes
      effect: Allow
      subjects: [{}]
      actions: [health]
    - name: freeze
      effect: Deny
      subjects: [{}]
      actions: [train]
      when: 'request.environment == "prod"'
  limits: [{ name: org-day, requests: 3, per: 1d, by: "attribute:org" }]
---
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: fraud-readers, namespace: default }
spec:
  models: ["fraud-*"]
  rules:
    - name: org-readers
      effect: Allow
      subjects: [{ attributes: { org: acme } }]
      actions: [read]
`;

const scientist = mintFrom("scientist");
const colleague = mintFrom("colleague");
const outsider = mintFrom("outsider");

function keyIndex() {
  const records = [
    [scientist.key, "dana", { team: "data_science", org: "acme" }],
    [colleague.key, "cole", { team: "data_science", org: "acme" }],
    [outsider.key, "olga", { team: "sales", org: "other" }],
  ] as const;
  const built = records.map(([key, subject, attributes]) => recordForKey(key, { subject, attributes }, T0));
  return buildKeyIndex(built.map((r) => (r.ok ? r.value : expect.fail(JSON.stringify(r)))));
}

// mTLS peers carry no team attribute; this policy lets any identified caller predict.
function everyoneMayPredict() {
  const parsed = parsePolicyYaml(
    `
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: open, namespace: default }
spec:
  models: ["fraud-*"]
  rules:
    - { name: anyone, effect: Allow, subjects: [{ method: mtls }], actions: [predict] }
`,
    "open.yaml",
  );
  expect(parsed.issues).toEqual([]);
  return compilePolicies(parsed.policies).index;
}

function ports(overrides: Partial<CheckPortParts> = {}): CheckPorts {
  const parsed = parsePolicyYaml(POLICIES, "policies.yaml");
  expect(parsed.issues).toEqual([]);
  const compiled = compilePolicies(parsed.policies);
  const keys = keyIndex().index;
  let ids = 0;
  return checkPorts({
    deployment: { profile: "kserve-v1", defaultModel: "fraud-detector", environment: "staging" },
    sources: [apiKeySource({ keys: () => keys })],
    policies: () => compiled.index,
    limiter: new LocalLimiter({ now: () => T0 }),
    sanctions: false,
    now: () => T0,
    newId: () => `decision-${++ids}`,
    ...overrides,
  });
}

const predict = (key?: string, spec: Partial<HttpRequestSpec> = {}) =>
  buildCheckRequest({
    method: "POST",
    path: "/v1/models/fraud-detector:predict",
    headers: key === undefined ? {} : { "x-api-key": key },
    ...spec,
  });

describe("decide", () => {
  it.each<[string, unknown, Partial<Decision>]>([
    ["malformed request", { attributes: {} }, { allowed: false, reason: "request_malformed" }],
    ["no credential, no anonymous rule", predict(), { allowed: false, reason: "credential_missing" }],
    [
      "anonymous metadata read",
      buildCheckRequest({ method: "GET", path: "/v1/models/fraud-detector" }),
      { allowed: false, reason: "credential_missing" },
    ],
    ["invalid key", predict("mgk_broken"), { allowed: false, reason: "api_key_malformed", identitySource: "apikey" }],
    ["outsider", predict(outsider.key), { allowed: false, reason: "policy_no_match" }],
    ["scientist", predict(scientist.key), { allowed: true, reason: "allowed", identitySource: "apikey" }],
  ])("%s", async (_name, request, expected) => {
    expect(await decide(request, ports())).toMatchObject(expected);
  });

  it("answers at once, without a promise, when no step has to wait (API key, in-process limiter)", () => {
    const allowed = decide(predict(scientist.key), ports());
    expect(allowed).not.toBeInstanceOf(Promise);
    expect(allowed).toMatchObject({ allowed: true, rateLimit: { mode: "local" } });
    expect(decide(predict("mgk_broken"), ports())).toMatchObject({ allowed: false, reason: "api_key_malformed" });
  });

  it("continues in a promise only once a step waits (a limiter that calls out)", async () => {
    const local = new LocalLimiter({ now: () => T0 });
    const waiting: Limiter = { charge: (request) => Promise.resolve(local.charge(request)) };
    const decided = decide(predict(scientist.key), ports({ limiter: waiting }));
    expect(decided).toBeInstanceOf(Promise);
    expect(await decided).toMatchObject({ allowed: true, rateLimit: { mode: "local" } });
  });

  it.each<[string, "seldon-model" | undefined, object]>([
    ["the stack does not route on it: two models named, refused", undefined, { allowed: false, reason: "model_ambiguous" }],
    [
      "the stack routes on it: the header's model is the one authorized",
      "seldon-model",
      { allowed: false, reason: "policy_no_match", target: { model: "payroll", source: "header" } },
    ],
  ])("a routing header naming another model than the path — %s", async (_name, routingHeader, expected) => {
    const request = buildCheckRequest({
      method: "POST",
      path: "/v1/models/fraud-detector:predict",
      headers: { "x-api-key": scientist.key, "seldon-model": "payroll" },
    });
    const deployment = {
      profile: "kserve-v1" as const,
      defaultModel: "fraud-detector",
      environment: "staging",
      ...(routingHeader === undefined ? {} : { routingHeader }),
    };
    expect(await decide(request, ports({ deployment }))).toMatchObject(expected);
  });

  it("denies everything with not_ready until policies are loaded", async () => {
    expect(await decide(predict(scientist.key), ports({ policies: () => undefined }))).toMatchObject({
      allowed: false,
      reason: "not_ready",
    });
  });

  it("challenges an anonymous caller with the configured scheme", async () => {
    const decision = await decide(predict(), ports());
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(decision.challenge).toContain("ApiKey");
  });

  it("records the allowing policy, rule and the headers that carried the credential", async () => {
    const decision = await decide(predict(scientist.key), ports());
    expect(decision).toMatchObject({
      allowed: true,
      policy: { namespace: "default", name: "fraud", generation: 3, rule: "scientists" },
      target: { model: "fraud-detector", action: "predict", source: "profile" },
      credentialHeaders: ["x-api-key", "authorization"],
      rateLimit: { mode: "local", violated: [] },
    });
  });

  // Issue 11 item 5: whichever source decides, every credential header any configured source
  // reads is removed upstream, so an unused credential never reaches the model server.
  describe("removes every configured source's credential headers on allow", () => {
    const keys = keyIndex().index;
    const apikey = apiKeySource({ keys: () => keys });
    const partnerKey = apiKeySource({ name: "partner", header: "x-partner-key", keys: () => keys });
    const mtls = mtlsSource({ config: DEFAULT_MTLS_CONFIG });
    const mtlsXfcc = mtlsSource({ config: { ...DEFAULT_MTLS_CONFIG, xfcc: { ...DEFAULT_MTLS_CONFIG.xfcc, mode: "sanitize-set" } } });
    const peer = { principal: "spiffe://cluster.local/ns/batch/sa/scorer" };
    const stranger = { "x-api-key": colleague.key, authorization: "Bearer someone-elses-token" };
    it.each<[string, CheckPorts["sources"], Partial<HttpRequestSpec>, string[]]>([
      [
        "[mtls, apikey]: an mTLS peer with someone else's key",
        [mtls, apikey],
        { ...peer, headers: stranger },
        ["authorization", "x-api-key"],
      ],
      [
        "[mtls, apikey] with trusted XFCC",
        [mtlsXfcc, apikey],
        { ...peer, headers: stranger },
        ["authorization", "x-api-key", "x-forwarded-client-cert"],
      ],
      [
        "[apikey, partner]: a custom key header name",
        [apikey, partnerKey],
        { headers: { "x-api-key": scientist.key } },
        ["authorization", "x-api-key", "x-partner-key"],
      ],
      [
        "[apikey] with the key in authorization",
        [apikey],
        { headers: { authorization: `Bearer ${scientist.key}` } },
        ["authorization", "x-api-key"],
      ],
    ])("%s", async (_name, sources, spec, removed) => {
      const policies = sources.includes(mtls) || sources.includes(mtlsXfcc) ? { policies: () => everyoneMayPredict() } : {};
      const decision = await decide(predict(undefined, spec), ports({ ...policies, sources }));
      expect(decision.allowed).toBe(true);
      const response = respond(decision);
      expect(response.allowed && [...response.upstreamHeadersToRemove].sort()).toEqual(removed);
    });
  });

  it("lets a second policy allow what the first does not, in policy order", async () => {
    const decision = await decide(predict(outsider.key, { method: "GET", path: "/v1/models/fraud-detector" }), ports());
    expect(decision).toMatchObject({ allowed: false, reason: "policy_no_match" });
    const read = await decide(predict(colleague.key, { method: "GET", path: "/v1/models/fraud-detector" }), ports());
    expect(read).toMatchObject({ allowed: true, policy: { name: "fraud", rule: "scientists" } });
  });

  it("resolves custom routes before the profile, with the captured model", async () => {
    const decision = await decide(predict(scientist.key, { path: "/custom/fraud-v2/retrain" }), ports());
    expect(decision).toMatchObject({ allowed: true, target: { model: "fraud-v2", action: "train", source: "route" } });
  });

  it("lets a Deny rule win when its CEL condition holds", async () => {
    const prod = ports({ deployment: { profile: "kserve-v1", defaultModel: "fraud-detector", environment: "prod" } });
    const decision = await decide(predict(scientist.key, { path: "/custom/fraud-v2/retrain" }), prod);
    expect(decision).toMatchObject({ allowed: false, reason: "policy_denied", policy: { rule: "freeze" } });
  });

  it("charges rule limits per identity and policy-wide limits per org", async () => {
    const shared = ports();
    const outcomes: string[] = [];
    for (const key of [scientist.key, scientist.key, scientist.key, colleague.key, colleague.key]) {
      const d = await decide(predict(key), shared);
      outcomes.push(d.allowed ? "ok" : `${d.reason}:${d.rateLimit?.violated.join("+")}`);
    }
    // dana: burst of 2, third hits `burst`; cole: first passes, then the org-wide 3/day is spent.
    expect(outcomes).toEqual(["ok", "ok", "rate_limited:burst", "ok", "rate_limited:org-day"]);
  });

  it("turns a limiter outage into limiter_unavailable without relaxing authorization", async () => {
    const down: Limiter = { charge: () => Promise.resolve({ kind: "unavailable", detail: "redis down" }) };
    expect(await decide(predict(scientist.key), ports({ limiter: down }))).toMatchObject({ allowed: false, reason: "limiter_unavailable" });
    expect(await decide(predict(outsider.key), ports({ limiter: down }))).toMatchObject({ allowed: false, reason: "policy_no_match" });
  });

  it("charges nothing once the caller's deadline answer went out, and hands the cancellation to the limiter", async () => {
    const calls: unknown[] = [];
    const counting: Limiter = {
      charge: (_request, cancel) => (calls.push(cancel), Promise.resolve({ kind: "allowed", states: [], mode: "local" })),
    };
    const gone = { aborted: true };
    expect(await decide(predict(scientist.key), ports({ limiter: counting }), gone)).toMatchObject({
      allowed: false,
      reason: "deadline_exceeded",
    });
    expect(calls).toEqual([]);
    const waiting = { aborted: false };
    expect(await decide(predict(scientist.key), ports({ limiter: counting }), waiting)).toMatchObject({ allowed: true });
    expect(calls).toEqual([waiting]);
  });

  it("rejects an invalid model captured by a route", async () => {
    const tooLong = `fraud-${"x".repeat(300)}`;
    const decision = await decide(predict(scientist.key, { path: `/custom/${tooLong}/retrain` }), ports());
    expect(decision).toMatchObject({ allowed: false, reason: "model_invalid" });
  });

  it("passes profile resolution errors through with their reason", async () => {
    const openai = ports({ deployment: { profile: "openai", defaultModel: "", environment: "" } });
    const decision = await decide(predict(scientist.key, { path: "/v1/chat/completions" }), openai);
    expect(decision).toMatchObject({ allowed: false, reason: "body_unavailable" });
  });

  it("gives every decision a fresh id and the request id", async () => {
    const p = ports();
    const a = await decide(predict(scientist.key, { requestId: "r-1" }), p);
    const b = await decide(predict(), p);
    expect(a.id).not.toBe(b.id);
    expect(a.requestId).toBe("r-1");
  });
});
