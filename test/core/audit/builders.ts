import { generateKeyPairSync } from "node:crypto";
import { genesisHead, sealEvent, type ChainHead, type SealedRecord } from "../../../src/core/audit/chain.ts";
import {
  ed25519PublicKey,
  ed25519Signer,
  sealCheckpoint,
  type CheckpointPublicKey,
  type CheckpointSigner,
} from "../../../src/core/audit/checkpoint.ts";
import type { AuditEvent } from "../../../src/core/audit/event.ts";
import { auditHmacKey, type AuditHmacKey } from "../../../src/core/audit/input-hmac.ts";
import { buildAuditRecord, type AuditRequestFacts } from "../../../src/core/audit/record.ts";
import type { AuditLine } from "../../../src/core/audit/verify.ts";
import type { Decision } from "../../../src/core/decision.ts";
import type { Identity } from "../../../src/core/identity/identity.ts";

export const T0 = Date.parse("2026-11-01T00:00:00Z");
export const HMAC_KEY: AuditHmacKey = auditHmacKey(new TextEncoder().encode("test-hmac-key-0123456789abcdefghijklmnop"));

export const alice: Identity = {
  method: "apikey",
  subject: "alice@example.com",
  issuer: "keys",
  keyId: "k1abcd",
  groups: [],
  attributes: { team: "data_science" },
};

export function allowed(overrides: Partial<Decision & { allowed: true }> = {}): Decision {
  return {
    id: "d-1",
    requestId: "r-1",
    request: undefined,
    decidedAt: T0,
    identity: alice,
    identitySource: "apikey",
    target: { model: "fraud-detector", version: "", action: "predict", source: "profile" },
    policy: { namespace: "default", name: "fraud-detector", generation: 3, rule: "data-science-predict" },
    rateLimit: {
      mode: "local",
      states: [{ name: "minute", quota: 5, windowSeconds: 60, remaining: 4, resetSeconds: 12 }],
      violated: [],
      retryAfterSeconds: 0,
    },
    allowed: true,
    reason: "allowed",
    credentialHeaders: ["x-api-key"],
    ...overrides,
  };
}

export function denied(overrides: Partial<Decision & { allowed: false }> = {}): Decision {
  return {
    id: "d-2",
    requestId: "r-2",
    request: undefined,
    decidedAt: T0,
    identity: undefined,
    identitySource: undefined,
    target: undefined,
    policy: undefined,
    rateLimit: undefined,
    allowed: false,
    reason: "credential_missing",
    detail: "a credential is required for this request",
    challenge: 'ApiKey realm="modelgate"',
    ...overrides,
  };
}

export function facts(overrides: Partial<AuditRequestFacts> = {}): AuditRequestFacts {
  return {
    sourceAddress: "10.0.0.7",
    method: "POST",
    path: "/v2/models/fraud-detector/infer",
    query: new Map(),
    body: undefined,
    ...overrides,
  };
}

export function decisionEvent(i: number): AuditEvent {
  return buildAuditRecord(
    { decision: allowed({ id: `d-${i}`, requestId: `r-${i}` }), request: facts(), durationMs: 0.25 },
    HMAC_KEY,
    T0 + i,
  );
}

export interface TestKeys {
  readonly signer: CheckpointSigner;
  readonly publicKey: CheckpointPublicKey;
  readonly publicPem: string;
  readonly privatePem: string;
}

export function testKeys(): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const signer = ed25519Signer(privatePem);
  const pub = ed25519PublicKey(publicPem);
  if (!signer.ok || !pub.ok) throw new Error("test key generation failed");
  return { signer: signer.value, publicKey: pub.value, publicPem, privatePem };
}

// A chain of `count` decision records with a checkpoint after every `every` records and,
// when `endWithCheckpoint`, one at the end.
export function buildChain(
  count: number,
  options: { signer?: CheckpointSigner; every?: number; endWithCheckpoint?: boolean; chain?: string } = {},
): SealedRecord[] {
  let head: ChainHead = genesisHead(options.chain ?? "pod-a@2026-11-01T00:00:00.000Z");
  const out: SealedRecord[] = [];
  const push = (s: { record: SealedRecord; head: ChainHead }): void => {
    out.push(s.record);
    head = s.head;
  };
  for (let i = 0; i < count; i += 1) {
    push(sealEvent(head, decisionEvent(i)));
    if (options.every !== undefined && (i + 1) % options.every === 0 && i + 1 < count) push(sealCheckpoint(head, T0 + i, options.signer));
  }
  if (options.endWithCheckpoint === true) push(sealCheckpoint(head, T0 + count, options.signer));
  return out;
}

export function asLines(records: readonly (SealedRecord | string)[], file = "audit.000001.jsonl"): AuditLine[] {
  return records.map((r, i) => ({ file, line: i + 1, text: typeof r === "string" ? r : r.line }));
}
