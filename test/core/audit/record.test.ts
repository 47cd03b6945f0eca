import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, type JsonValue } from "../../../src/core/audit/canonical-json.ts";
import { genesisHead, sealEvent } from "../../../src/core/audit/chain.ts";
import { auditHmacKeyFromText, canonicalQuery, requestLine } from "../../../src/core/audit/input-hmac.ts";
import { auditInputOf, buildAuditRecord, MAX_RECORD_BYTES, type AuditRequestFacts } from "../../../src/core/audit/record.ts";
import { verifyAuditLines } from "../../../src/core/audit/verify.ts";
import type { Decision } from "../../../src/core/decision.ts";
import { request as normalizedRequest } from "../../core/request/builders.ts";
import { HMAC_KEY, T0, alice, allowed, asLines, denied, facts } from "./builders.ts";

const hmac = (data: string | Uint8Array): string => createHmac("sha256", HMAC_KEY.bytes).update(data).digest("hex");

describe("buildAuditRecord", () => {
  it("records who, what, why and how long for an allowed decision", () => {
    const record = buildAuditRecord({ decision: allowed(), request: facts(), durationMs: 1.2345 }, HMAC_KEY, T0 + 5);
    expect(record).toEqual({
      type: "decision",
      time: "2026-11-01T00:00:00.005Z",
      decision_id: "d-1",
      request_id: "r-1",
      decision: "allow",
      reason: "allowed",
      status: 200,
      detail: null,
      identity: { method: "apikey", subject: "alice@example.com", issuer: "keys", key_id: "k1abcd" },
      identity_source: "apikey",
      source_address: "10.0.0.7",
      model: "fraud-detector",
      model_version: "",
      action: "predict",
      policy: { namespace: "default", name: "fraud-detector", generation: 3, rule: "data-science-predict" },
      limiter: {
        mode: "local",
        limits: [{ name: "minute", quota: 5, window_ms: 60_000, remaining: 4, reset_ms: 12_000 }],
        violated: [],
        retry_after_ms: 0,
      },
      duration_us: 1235,
      input: { kind: "request", hmac: hmac("POST /v2/models/fraud-detector/infer"), key_id: HMAC_KEY.id, bytes: 36, partial: false },
      truncated: [],
    });
  });

  it.each<[string, Decision, number, string]>([
    ["a missing credential", denied(), 401, "credential_missing"],
    ["a policy denial", denied({ reason: "policy_denied", identity: alice, detail: "predict is denied by policy" }), 403, "policy_denied"],
    ["a rate limit", denied({ reason: "rate_limited", identity: alice }), 429, "rate_limited"],
    ["an unavailable audit log", denied({ reason: "audit_unavailable" }), 503, "audit_unavailable"],
  ])("records %s with its reason and HTTP status", (_name, decision, status, reason) => {
    const record = buildAuditRecord({ decision, request: facts(), durationMs: 0 }, HMAC_KEY, T0);
    expect(record).toMatchObject({ decision: "deny", reason, status, detail: (decision as { detail: string }).detail });
  });

  it.each<[string, Decision, object]>([
    [
      "lowered limits",
      allowed({ rateLimit: { mode: "redis", states: [], violated: [], retryAfterSeconds: 0, lowered: 250 } }),
      { mode: "redis", limits: [], violated: [], retry_after_ms: 0, lowered_permille: 250 },
    ],
    [
      "an anomaly block",
      denied({
        reason: "anomaly_blocked",
        identity: alice,
        rateLimit: { mode: "redis", states: [], violated: [], retryAfterSeconds: 900, penaltyBox: true, anomalyBlock: true },
      }),
      { mode: "redis", limits: [], violated: [], retry_after_ms: 900_000, anomaly_block: true },
    ],
  ])("says when an anomaly response shaped the limiter's answer: %s", (_name, decision, limiter) => {
    expect(buildAuditRecord({ decision, request: facts(), durationMs: 0 }, HMAC_KEY, T0)["limiter"]).toEqual(limiter);
  });

  it("hashes the body when Envoy sent one, and says when it was cut", () => {
    const body = new TextEncoder().encode('{"inputs":[1,2,3]}');
    const record = buildAuditRecord(
      { decision: allowed(), request: facts({ body: { bytes: body, partial: true } }), durationMs: 0 },
      HMAC_KEY,
      T0,
    );
    expect(record["input"]).toEqual({ kind: "body", hmac: hmac(body), key_id: HMAC_KEY.id, bytes: body.length, partial: true });
  });

  it("holds no credential, body, path or query in clear", () => {
    const secret = "mgk_live_supersecret";
    const query = new Map([["token", [secret]]]);
    const body = { bytes: new TextEncoder().encode(`prompt with ${secret}`), partial: false };
    for (const request of [facts({ query, path: `/v1/${secret}` }), facts({ body })]) {
      const text = canonicalJson(buildAuditRecord({ decision: allowed(), request, durationMs: 0 }, HMAC_KEY, T0));
      expect(text).not.toContain(secret);
      expect(text).not.toContain("x-api-key:");
    }
  });

  it("records no input when the request could not be normalized", () => {
    const record = buildAuditRecord({ decision: denied({ reason: "request_malformed" }), request: undefined, durationMs: 0 }, HMAC_KEY, T0);
    expect(record).toMatchObject({ input: null, source_address: null });
  });

  it("pseudonymises the subject with subjects: hmac", () => {
    const record = buildAuditRecord({ decision: allowed(), request: facts(), durationMs: 0 }, HMAC_KEY, T0, { subjects: "hmac" });
    const subject = (record["identity"] as { subject: string }).subject;
    expect(subject).toBe(`hmac-sha256:${hmac("subject\u0000alice@example.com")}`);
    expect(canonicalJson(record)).not.toContain("alice@");
  });

  // Not a matter of correctness (any order is written canonically) but of cost: objects already
  // in canonical order are handed to JSON.stringify as they are (canonical-json.ts).
  it.each<[string, Decision, AuditRequestFacts | undefined]>([
    ["an allowed decision", allowed(), facts()],
    ["one with a body", allowed(), facts({ body: { bytes: new Uint8Array(3), partial: false } })],
    ["lowered limits", allowed({ rateLimit: { mode: "redis", states: [], violated: [], retryAfterSeconds: 0, lowered: 250 } }), facts()],
    [
      "an anomaly block",
      denied({
        reason: "anomaly_blocked",
        identity: alice,
        rateLimit: { mode: "redis", states: [], violated: ["minute"], retryAfterSeconds: 9, anomalyBlock: true },
      }),
      facts(),
    ],
  ])("lists the keys of its nested objects in canonical order: %s", (_name, decision, request) => {
    const record = buildAuditRecord({ decision, request, durationMs: 0 }, HMAC_KEY, T0);
    const nested = Object.values(record)
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .filter((v) => typeof v === "object" && v !== null);
    const limits = (record["limiter"] as { limits: JsonValue[] }).limits;
    expect(nested.length).toBeGreaterThanOrEqual(3);
    for (const object of [...nested, ...limits]) expect(JSON.stringify(object)).toBe(canonicalJson(object as JsonValue));
  });

  it("takes its request facts from the normalized request", () => {
    const req = normalizedRequest({
      method: "GET",
      path: "/v2/models/m",
      query: new Map([
        ["b", ["2"]],
        ["a", ["1", "0"]],
      ]),
      peer: { address: "192.0.2.1", principal: "", certificate: "" },
    });
    const input = auditInputOf(allowed(), req, 3);
    expect(input.request).toMatchObject({ sourceAddress: "192.0.2.1", method: "GET", path: "/v2/models/m" });
    const record = buildAuditRecord(input, HMAC_KEY, T0);
    expect((record["input"] as { hmac: string }).hmac).toBe(hmac("GET /v2/models/m?a=1&a=0&b=2"));
  });
});

describe("input HMAC rules", () => {
  it.each<[string, [string, string[]][], string]>([
    ["no query", [], ""],
    [
      "names sorted, values in order",
      [
        ["b", ["2"]],
        ["a", ["x", "w"]],
      ],
      "a=x&a=w&b=2",
    ],
    ["RFC 3986 encoding", [["q", ["a b&c=d/é*"]]], "q=a%20b%26c%3Dd%2F%C3%A9%2A"],
    ["empty values kept", [["flag", [""]]], "flag="],
  ])("canonical query: %s", (_name, pairs, expected) => {
    expect(canonicalQuery(new Map(pairs))).toBe(expected);
  });

  it("writes the request line as METHOD SP path [? query]", () => {
    expect(requestLine("GET", "/x", new Map())).toBe("GET /x");
    expect(requestLine("GET", "/x", new Map([["a", ["1"]]]))).toBe("GET /x?a=1");
  });

  it.each([
    ["too short", "short-key"],
    ["with spaces inside", "a key with spaces that is long enough to pass"],
    ["binary", "\u0000\u0001".repeat(20)],
  ])("refuses an HMAC key that is %s", (_name, text) => {
    expect(auditHmacKeyFromText(text).ok).toBe(false);
  });

  it("reads a key file's text without the trailing newline, and names the key without revealing it", () => {
    const key = auditHmacKeyFromText("abcdefghijklmnopqrstuvwxyz0123456789ABCD\n");
    expect(key.ok && new TextDecoder().decode(key.value.bytes)).toBe("abcdefghijklmnopqrstuvwxyz0123456789ABCD");
    expect(key.ok && key.value.id).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe("log injection (security.md L1, T18)", () => {
  const hostile = [
    'eve\n{"type":"decision","decision":"allow"}',
    'eve"},"decision":"allow","x":{"',
    "\u001b[2J\u001b[31mALLOWED\u001b[0m",
    "\r\nforged: line\u2028\u2029\u0085\u009b31m",
    "\u0000nul\ud800lone",
    "x".repeat(1024 * 1024),
    "😀".repeat(300_000),
    "\n".repeat(200_000),
  ];

  it.each(hostile.map((h, i) => [i, h]))("hostile value #%s yields one bounded, well-formed record", (_i, value) => {
    const identity = { ...alice, subject: value, issuer: value, keyId: value };
    const decision = denied({
      reason: "policy_denied",
      identity,
      requestId: value,
      detail: value,
      target: { model: value, version: value, action: value, source: "route" },
    });
    const event = buildAuditRecord({ decision, request: facts({ sourceAddress: value, path: `/${value}` }), durationMs: 0 }, HMAC_KEY, T0);
    const { record } = sealEvent(genesisHead("pod-a"), event);
    expect(record.line.split("\n")).toHaveLength(1);
    expect(record.line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(record.bytes).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(JSON.parse(record.line)).toMatchObject({ type: "decision", decision: "deny" });
    expect(
      verifyAuditLines(asLines([record]), { keys: [], requireCheckpointAtEnd: false, allowPartialStart: false, mixed: false }).ok,
    ).toBe(true);
  });

  it("keeps a short hostile value intact (escaped, not altered)", () => {
    const subject = 'eve\n"}\u001b[31m';
    const event = buildAuditRecord(
      { decision: allowed({ identity: { ...alice, subject } }), request: facts(), durationMs: 0 },
      HMAC_KEY,
      T0,
    );
    const { record } = sealEvent(genesisHead("pod-a"), event);
    expect(JSON.parse(record.line).identity.subject).toBe(subject);
    expect(JSON.parse(record.line).truncated).toEqual([]);
  });

  it("marks cut fields and stays under 8 KiB whatever every field holds", () => {
    const big = fc.string({ unit: "binary", minLength: 2000, maxLength: 5000 });
    fc.assert(
      fc.property(big, big, big, (a, b, c) => {
        const limits = Array.from({ length: 20 }, (_, i) => ({
          name: `${c}${i}`,
          quota: 2 ** 52,
          windowSeconds: 1e9,
          remaining: 2 ** 52,
          resetSeconds: 1e9,
        }));
        const decision = denied({
          reason: "rate_limited",
          identity: { ...alice, subject: a, issuer: b, keyId: c },
          identitySource: c,
          requestId: a,
          id: b,
          detail: c,
          target: { model: a, version: b, action: c, source: "route" },
          policy: { namespace: a, name: b, generation: 2 ** 52, rule: c },
          rateLimit: { mode: "redis", states: limits, violated: limits.map((l) => l.name), retryAfterSeconds: 1e9 },
        });
        const event = buildAuditRecord({ decision, request: facts({ sourceAddress: a }), durationMs: 1e12 }, HMAC_KEY, T0);
        const { record } = sealEvent(genesisHead(`${"p".repeat(60)}@2026-11-01T00:00:00.000Z`), event);
        expect(record.bytes).toBeLessThanOrEqual(MAX_RECORD_BYTES);
        expect(JSON.parse(record.line).truncated).toEqual(expect.arrayContaining(["identity.subject", "limiter.limits"]));
      }),
      { numRuns: 30 },
    );
  });
});
