import { hash as digestOf } from "node:crypto";
import { canonicalJson, canonicalSplit, canonicalSplitOf, joinCanonicalObjects, type JsonObject } from "./canonical-json.ts";
import { AUDIT_FORMAT_VERSION, ENVELOPE_KEYS, type AuditEvent, type AuditEventType } from "./event.ts";

// The hash chain. Every record carries
//   v     format version (1)
//   chain the chain id: one per replica (pod) and chain start, so replicas never interleave
//   seq   0, 1, 2, … without gaps within a chain
//   prev  the `hash` of the record before it (GENESIS_HASH for seq 0)
//   hash  SHA-256 (hex) of the canonical JSON of the record without its `hash` key
// so editing, deleting, inserting or reordering a record breaks a link a verifier can name.
// Signed checkpoints (checkpoint.ts) pin the head, so rewriting a whole tail is caught too.

export const GENESIS_HASH = "0".repeat(64);
const CHAIN_ID = /^[A-Za-z0-9][A-Za-z0-9._:@+\/-]{0,127}$/;

export interface ChainHead {
  readonly chain: string;
  readonly seq: number; // seq of the last record; -1 for a chain with no record yet
  readonly hash: string; // hash of the last record; GENESIS_HASH for an empty chain
}

export interface SealedRecord {
  readonly chain: string;
  readonly seq: number;
  readonly type: AuditEventType;
  readonly hash: string;
  readonly line: string; // canonical JSON, no trailing newline
  readonly bytes: number; // UTF-8 bytes of line + "\n"
}

export function isValidChainId(id: string): boolean {
  return CHAIN_ID.test(id);
}

export function genesisHead(chain: string): ChainHead {
  if (!isValidChainId(chain)) throw new Error(`invalid chain id ${JSON.stringify(chain)}`);
  return { chain, seq: -1, hash: GENESIS_HASH };
}

// The one-shot digest: no Hash object per record.
export function sha256Hex(text: string): string {
  return digestOf("sha256", text, "hex");
}

// The hash of a record is over everything but `hash` itself.
export function recordHash(withoutHash: JsonObject): string {
  return sha256Hex(canonicalJson(withoutHash));
}

export function envelopeFor(head: ChainHead, event: AuditEvent): JsonObject {
  assertNoEnvelopeKey(event);
  return { ...event, ...envelopeOf(head) };
}

// An event the chain cannot take (a bug in its builder): it carries a key the envelope owns.
export function assertNoEnvelopeKey(event: AuditEvent): void {
  for (const key of ENVELOPE_KEYS) {
    if (key in event) throw new Error(`audit event must not carry the envelope key "${key}"`);
  }
}

// The chain's members of the record after `head`, keys in canonical order.
function envelopeOf(head: ChainHead): JsonObject {
  return { chain: head.chain, prev: head.hash, seq: head.seq + 1, v: AUDIT_FORMAT_VERSION };
}

// Completes a record whose envelope is already in place (see checkpoint.ts for why that is
// split out) and returns it with the new head.
export function sealEnvelope(head: ChainHead, withoutHash: JsonObject, type: AuditEventType): { record: SealedRecord; head: ChainHead } {
  if ("hash" in withoutHash) throw new Error("a record to seal must not carry a hash yet");
  return sealHalves(head, canonicalSplit(withoutHash, "hash"), type);
}

// The event and its envelope are split at `hash` together, never copied into one record object.
export function sealEvent(head: ChainHead, event: AuditEvent): { record: SealedRecord; head: ChainHead } {
  assertNoEnvelopeKey(event);
  return sealHalves(head, canonicalSplitOf(event, envelopeOf(head), "hash"), event.type);
}

// One serialization: the members before and after `hash`'s sorted place, joined without it for
// the digest and around it for the line.
type Sealed = { record: SealedRecord; head: ChainHead };

function sealHalves(head: ChainHead, [below, above]: readonly [string, string], type: AuditEventType): Sealed {
  const hash = sha256Hex(joinCanonicalObjects(below, above));
  // A hex digest needs no escaping: `{"hash":"…"}` is its canonical text as it stands.
  const line = joinCanonicalObjects(below, `{"hash":"${hash}"}`, above);
  const seq = head.seq + 1;
  const record: SealedRecord = { chain: head.chain, seq, type, hash, line, bytes: Buffer.byteLength(line) + 1 };
  return { record, head: { chain: head.chain, seq, hash } };
}
