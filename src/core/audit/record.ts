import type { Decision, RateLimitOutcome } from "../decision.ts";
import type { Identity } from "../identity/identity.ts";
import type { PolicyRef } from "../policy/types.ts";
import { httpStatusOf } from "../reason.ts";
import type { NormalizedRequest } from "../request/normalized-request.ts";
import { FieldBounds } from "./bounded-text.ts";
import type { JsonObject } from "./canonical-json.ts";
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

// Every object below lists its keys in canonical (sorted) order, the top level included, so that
// sealing can hand them to the engine's JSON.stringify as they are and needs no sort
// (canonical-json.ts); another order would still be written correctly, only slower. The fields
// are bounded in reading order first (`truncated` lists them in that order), then placed.
export function buildAuditRecord(input: AuditInput, hmacKey: AuditHmacKey, now: number, options?: AuditRecordOptions): AuditEvent {
  const d = input.decision;
  const b = new FieldBounds();
  const decisionId = b.text("decision_id", d.id, FIELD_BYTES.decisionId);
  const requestId = b.text("request_id", d.requestId, FIELD_BYTES.requestId);
  const detail = d.allowed ? null : b.text("detail", d.detail, FIELD_BYTES.detail);
  const identity = identityFields(d.identity, b, hmacKey, options?.subjects ?? "plain");
  const identitySource = b.optional("identity_source", d.identitySource, FIELD_BYTES.identitySource);
  const sourceAddress = b.optional("source_address", input.request?.sourceAddress, FIELD_BYTES.sourceAddress);
  const model = b.optional("model", d.target?.model, FIELD_BYTES.model);
  const modelVersion = b.optional("model_version", d.target?.version, FIELD_BYTES.modelVersion);
  const action = b.optional("action", d.target?.action, FIELD_BYTES.action);
  const policy = policyFields(d.policy, b);
  const limiter = limiterFields(d.rateLimit, b);
  const record: AuditEvent = {
    action,
    decision: d.allowed ? "allow" : "deny",
    decision_id: decisionId,
    detail,
    duration_us: wholeNumber(input.durationMs * 1000),
    identity,
    identity_source: identitySource,
    input: inputFields(input.request, hmacKey),
    limiter,
    model,
    model_version: modelVersion,
    policy,
    reason: d.reason,
    request_id: requestId,
    source_address: sourceAddress,
    status: httpStatusOf(d.reason),
    time: isoTime(now),
    truncated: b.truncated,
    type: "decision",
  };
  return record;
}

function identityFields(identity: Identity | undefined, b: FieldBounds, key: AuditHmacKey, subjects: "plain" | "hmac"): JsonObject | null {
  if (identity === undefined) return null;
  const subject =
    subjects === "hmac" && identity.subject !== "" ? `hmac-sha256:${key.recurring(`subject\u0000${identity.subject}`)}` : identity.subject;
  const boundedSubject = b.text("identity.subject", subject, FIELD_BYTES.subject); // bounded first: `truncated` keeps reading order
  return {
    issuer: b.text("identity.issuer", identity.issuer, FIELD_BYTES.issuer),
    key_id: b.text("identity.key_id", identity.keyId, FIELD_BYTES.keyId),
    method: identity.method,
    subject: boundedSubject,
  };
}

function policyFields(policy: PolicyRef | undefined, b: FieldBounds): JsonObject | null {
  if (policy === undefined) return null;
  const namespace = b.text("policy.namespace", policy.namespace, FIELD_BYTES.policyPart); // bounded first: `truncated` keeps reading order
  return {
    generation: wholeNumber(policy.generation),
    name: b.text("policy.name", policy.name, FIELD_BYTES.policyPart),
    namespace,
    rule: b.text("policy.rule", policy.rule, FIELD_BYTES.policyPart),
  };
}

function limiterFields(rl: RateLimitOutcome | undefined, b: FieldBounds): JsonObject | null {
  if (rl === undefined) return null;
  if (rl.states.length > MAX_LIMITS_IN_RECORD) b.mark("limiter.limits");
  const limits = rl.states.slice(0, MAX_LIMITS_IN_RECORD).map((s) => ({
    name: b.text("limiter.limits.name", s.name, FIELD_BYTES.limitName),
    quota: wholeNumber(s.quota),
    remaining: wholeNumber(s.remaining),
    reset_ms: wholeNumber(s.resetSeconds * 1000),
    window_ms: wholeNumber(s.windowSeconds * 1000),
  }));
  if (rl.violated.length > MAX_LIMITS_IN_RECORD) b.mark("limiter.violated");
  const violated = rl.violated.slice(0, MAX_LIMITS_IN_RECORD).map((n) => b.text("limiter.violated", n, FIELD_BYTES.limitName));
  const common = { mode: rl.mode, retry_after_ms: wholeNumber(rl.retryAfterSeconds * 1000), violated };
  if (rl.anomalyBlock === true) return { anomaly_block: true, limits, ...common };
  if (rl.lowered !== undefined) return { limits, lowered_permille: wholeNumber(rl.lowered), ...common };
  return { limits, ...common };
}

function inputFields(request: AuditRequestFacts | undefined, key: AuditHmacKey): JsonObject | null {
  if (request === undefined) return null;
  if (request.body !== undefined) {
    const { bytes, partial } = request.body;
    return { bytes: bytes.length, hmac: hmacHex(key, bytes), key_id: key.id, kind: "body", partial };
  }
  const line = requestLine(request.method, request.path, request.query);
  // A line with a query is seldom seen twice: hashed without being kept.
  const hmac = request.query.size === 0 ? key.recurring(line) : hmacHex(key, line);
  return { bytes: Buffer.byteLength(line), hmac, key_id: key.id, kind: "request", partial: false };
}
