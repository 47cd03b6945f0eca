import type { Decision, RateLimitOutcome } from "../decision.ts";
import type { Identity } from "../identity.ts";
import type { PolicyRef } from "../policy/types.ts";
import { httpStatusOf } from "../reason.ts";
import type { NormalizedRequest } from "../request.ts";
import { FieldBounds } from "./bounded-text.ts";
import type { JsonObject, JsonValue } from "./canonical-json.ts";
import { isoTime, wholeNumber, type AuditEvent } from "./event.ts";
import { hmacHex, requestLine, type AuditHmacKey } from "./input-hmac.ts";

// The audit record of one decision, allowed or denied. It names who asked for what and why the
// answer was given; it never holds a credential, a body, a path or a query — only a keyed
// HMAC of the input. Every attacker-influenced string is bounded (FIELD_BYTES), so a record
// stays under MAX_RECORD_BYTES whatever the request carried.

// Exactly what the record needs from the normalized request.
export interface AuditRequestFacts {
  readonly sourceAddress: string;
  readonly method: string;
  readonly path: string; // canonical path
  readonly query: ReadonlyMap<string, readonly string[]>;
  readonly body: { readonly bytes: Uint8Array; readonly partial: boolean } | undefined;
}

export interface AuditInput {
  readonly decision: Decision;
  readonly request: AuditRequestFacts | undefined; // undefined when normalization failed
  readonly durationMs: number;
}

export interface AuditRecordOptions {
  // "hmac" replaces the subject with HMAC(key, subject): pseudonymous, still groupable.
  readonly subjects: "plain" | "hmac";
}

// Serialized-size caps (escapes included). Their sum with the fixed fields stays < 8 KiB.
export const FIELD_BYTES = {
  subject: 1024,
  issuer: 512,
  keyId: 256,
  identitySource: 64,
  requestId: 256,
  decisionId: 128,
  sourceAddress: 256,
  model: 512,
  modelVersion: 128,
  action: 128,
  detail: 512,
  policyPart: 253,
  limitName: 64,
} as const;
export const MAX_LIMITS_IN_RECORD = 8;
export const MAX_RECORD_BYTES = 8192;

export function auditInputOf(decision: Decision, request: NormalizedRequest | undefined, durationMs: number): AuditInput {
  const facts: AuditRequestFacts | undefined =
    request === undefined
      ? undefined
      : { sourceAddress: request.peer.address, method: request.method, path: request.path, query: request.query, body: request.body };
  return { decision, request: facts, durationMs };
}

export function buildAuditRecord(input: AuditInput, hmacKey: AuditHmacKey, now: number, options?: AuditRecordOptions): AuditEvent {
  const d = input.decision;
  const b = new FieldBounds();
  const record: Record<string, JsonValue> = {
    type: "decision",
    time: isoTime(now),
    decision_id: b.text("decision_id", d.id, FIELD_BYTES.decisionId),
    request_id: b.text("request_id", d.requestId, FIELD_BYTES.requestId),
    decision: d.allowed ? "allow" : "deny",
    reason: d.reason,
    status: httpStatusOf(d.reason),
    detail: d.allowed ? null : b.text("detail", d.detail, FIELD_BYTES.detail),
    identity: identityFields(d.identity, b, hmacKey, options?.subjects ?? "plain"),
    identity_source: b.optional("identity_source", d.identitySource, FIELD_BYTES.identitySource),
    source_address: b.optional("source_address", input.request?.sourceAddress, FIELD_BYTES.sourceAddress),
    model: b.optional("model", d.target?.model, FIELD_BYTES.model),
    model_version: b.optional("model_version", d.target?.version, FIELD_BYTES.modelVersion),
    action: b.optional("action", d.target?.action, FIELD_BYTES.action),
    policy: policyFields(d.policy, b),
    limiter: limiterFields(d.rateLimit, b),
    duration_us: wholeNumber(input.durationMs * 1000),
    input: inputFields(input.request, hmacKey),
  };
  record["truncated"] = b.truncated;
  return record as AuditEvent;
}

function identityFields(identity: Identity | undefined, b: FieldBounds, key: AuditHmacKey, subjects: "plain" | "hmac"): JsonObject | null {
  if (identity === undefined) return null;
  const subject =
    subjects === "hmac" && identity.subject !== "" ? `hmac-sha256:${hmacHex(key, `subject\u0000${identity.subject}`)}` : identity.subject;
  return {
    method: identity.method,
    subject: b.text("identity.subject", subject, FIELD_BYTES.subject),
    issuer: b.text("identity.issuer", identity.issuer, FIELD_BYTES.issuer),
    key_id: b.text("identity.key_id", identity.keyId, FIELD_BYTES.keyId),
  };
}

function policyFields(policy: PolicyRef | undefined, b: FieldBounds): JsonObject | null {
  if (policy === undefined) return null;
  return {
    namespace: b.text("policy.namespace", policy.namespace, FIELD_BYTES.policyPart),
    name: b.text("policy.name", policy.name, FIELD_BYTES.policyPart),
    generation: wholeNumber(policy.generation),
    rule: b.text("policy.rule", policy.rule, FIELD_BYTES.policyPart),
  };
}

function limiterFields(rl: RateLimitOutcome | undefined, b: FieldBounds): JsonObject | null {
  if (rl === undefined) return null;
  if (rl.states.length > MAX_LIMITS_IN_RECORD) b.mark("limiter.limits");
  const limits = rl.states.slice(0, MAX_LIMITS_IN_RECORD).map((s) => ({
    name: b.text("limiter.limits.name", s.name, FIELD_BYTES.limitName),
    quota: wholeNumber(s.quota),
    window_ms: wholeNumber(s.windowSeconds * 1000),
    remaining: wholeNumber(s.remaining),
    reset_ms: wholeNumber(s.resetSeconds * 1000),
  }));
  if (rl.violated.length > MAX_LIMITS_IN_RECORD) b.mark("limiter.violated");
  const violated = rl.violated.slice(0, MAX_LIMITS_IN_RECORD).map((n) => b.text("limiter.violated", n, FIELD_BYTES.limitName));
  const sanction = rl.anomalyBlock === true ? { anomaly_block: true } : rl.lowered === undefined ? {} : { lowered_permille: wholeNumber(rl.lowered) };
  return { mode: rl.mode, limits, violated, retry_after_ms: wholeNumber(rl.retryAfterSeconds * 1000), ...sanction };
}

function inputFields(request: AuditRequestFacts | undefined, key: AuditHmacKey): JsonObject | null {
  if (request === undefined) return null;
  if (request.body !== undefined) {
    const { bytes, partial } = request.body;
    return { kind: "body", hmac: hmacHex(key, bytes), key_id: key.id, bytes: bytes.length, partial };
  }
  const line = requestLine(request.method, request.path, request.query);
  return { kind: "request", hmac: hmacHex(key, line), key_id: key.id, bytes: Buffer.byteLength(line), partial: false };
}
