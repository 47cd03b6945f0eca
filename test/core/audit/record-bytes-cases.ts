import { genesisHead, sealEvent, type ChainHead, type SealedRecord } from "../../../src/core/audit/chain.ts";
import { sealCheckpoint } from "../../../src/core/audit/checkpoint.ts";
import type { AuditEvent } from "../../../src/core/audit/event.ts";
import { auditHmacKey } from "../../../src/core/audit/input-hmac.ts";
import { outcomeEvent, outcomeMissingEvent, decisionMissingEvent } from "../../../src/core/audit/outcome-record.ts";
import { buildAuditRecord, type AuditRecordOptions, type AuditRequestFacts } from "../../../src/core/audit/record.ts";
import type { Decision } from "../../../src/core/decision.ts";
import { T0, alice, allowed, denied, facts } from "./builders.ts";

// A chain over every shape a record can take — allowed and denied decisions, with and without
// identity, policy, limiter (plain, lowered, anomaly block, over MAX_LIMITS_IN_RECORD), body or
// request-line input with a query, HMAC'd subjects, hostile and non-ASCII texts that need
// escaping or truncation — plus outcome records and an unsigned checkpoint (unsigned, so the
// bytes do not depend on a key made at run time). test/fixtures/audit/record-bytes/records.jsonl
// holds the lines the code wrote before the audit path was tuned for speed; every later version
// must write the same bytes for the same input (record-bytes.test.ts).

const KEY = auditHmacKey(new TextEncoder().encode("record-bytes-hmac-key-0123456789abcdefghij"));
const hostile = `evil\u0000\u001b[31m"quote"\\back\u007f\u0085\u009b\u2028\u2029\ud800 ✓ 𝄞 ${"x".repeat(40)}`;
const long = "é".repeat(700);

interface Case {
  readonly decision: Decision;
  readonly request?: AuditRequestFacts | undefined;
  readonly options?: AuditRecordOptions;
}

function limits(n: number): Decision["rateLimit"] {
  return {
    mode: "redis",
    states: Array.from({ length: n }, (_, i) => ({ name: `l${i}`, quota: 10 + i, windowSeconds: 60, remaining: i, resetSeconds: 1.5 })),
    violated: Array.from({ length: n }, (_, i) => `l${i}`),
    retryAfterSeconds: 2.25,
  };
}

const cases: readonly Case[] = [
  { decision: allowed(), request: facts() },
  {
    decision: allowed({ id: "d-q" }),
    request: facts({
      query: new Map([
        ["b", ["2", "x y"]],
        ["a", ["1"]],
        ["ü", ["!*'()"]],
      ]),
    }),
  },
  {
    decision: allowed({ id: "d-body" }),
    request: facts({ body: { bytes: new TextEncoder().encode('{"inputs":[1,2,3]}'), partial: true } }),
  },
  { decision: allowed({ id: "d-empty-body" }), request: facts({ body: { bytes: new Uint8Array(0), partial: false } }) },
  { decision: allowed({ id: "d-hmac" }), request: facts(), options: { subjects: "hmac" } },
  { decision: allowed({ id: "d-hmac-empty", identity: { ...alice, subject: "" } }), request: facts(), options: { subjects: "hmac" } },
  { decision: allowed({ id: "d-no-request" }), request: undefined },
  {
    decision: allowed({ id: "d-version", target: { model: "m", version: "v7", action: "generate", source: "profile" } }),
    request: facts(),
  },
  { decision: allowed({ id: "d-lowered", rateLimit: { ...limits(2)!, violated: [], lowered: 250 } }), request: facts() },
  {
    decision: allowed({ id: hostile, requestId: long, identity: { ...alice, subject: hostile, issuer: long, keyId: hostile } }),
    request: facts({ sourceAddress: hostile }),
  },
  {
    decision: allowed({ id: "d-policy-long", policy: { namespace: long, name: hostile, generation: 2 ** 53 + 10, rule: "r" } }),
    request: facts(),
  },
  { decision: denied(), request: facts() },
  { decision: denied({ id: "d-detail", detail: hostile }), request: undefined },
  {
    decision: denied({ id: "d-limited", reason: "rate_limited", identity: alice, identitySource: "apikey", rateLimit: limits(3) }),
    request: facts(),
  },
  { decision: denied({ id: "d-many", reason: "rate_limited", identity: alice, rateLimit: limits(12) }), request: facts() },
  {
    decision: denied({
      id: "d-anomaly",
      reason: "anomaly_blocked",
      identity: alice,
      rateLimit: { ...limits(1)!, anomalyBlock: true, penaltyBox: true },
    }),
    request: facts({ method: "GET", path: "/v1/models", query: new Map([["q", ["\u0000"]]]) }),
  },
];

const outcome = {
  requestId: "r-1",
  responseCode: 200,
  responseCodeDetails: "via_upstream",
  responseFlags: ["UF", hostile],
  requestBodyBytes: 18,
  responseBodyBytes: 1234,
  durationMs: 12.3456,
  startedAt: T0 - 5,
};
const pending = { decisionId: "d-1", requestId: "r-1", allowed: true, decidedAt: T0 - 3 };

function events(): AuditEvent[] {
  const decisions = cases.map((c, i) =>
    buildAuditRecord({ decision: c.decision, request: c.request, durationMs: 0.123 * i }, KEY, T0 + i, c.options),
  );
  return [
    ...decisions,
    outcomeEvent(outcome, pending, T0 + 100),
    decisionMissingEvent({ ...outcome, responseCode: undefined, durationMs: undefined, startedAt: undefined }, T0 + 101),
    outcomeMissingEvent(pending, "timeout", T0 + 102),
  ];
}

// The sealed lines, with an unsigned checkpoint after the first half and one at the end.
export function recordBytesChain(): string[] {
  let head: ChainHead = genesisHead("pod-a@2026-11-01T00:00:00.000Z");
  const out: SealedRecord[] = [];
  const push = (s: { record: SealedRecord; head: ChainHead }): void => {
    out.push(s.record);
    head = s.head;
  };
  const all = events();
  all.forEach((event, i) => {
    push(sealEvent(head, event));
    if (i === Math.floor(all.length / 2)) push(sealCheckpoint(head, T0 + 50, undefined));
  });
  push(sealCheckpoint(head, T0 + 200, undefined));
  return out.map((r) => r.line);
}
