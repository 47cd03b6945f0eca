import { hash } from "node:crypto";
import type { Identity, SourceOutcome } from "./identity.ts";
import { REASONS } from "../reason.ts";
import type { DenyReason } from "../reason.ts";
import type { Issue } from "../result.ts";
import { parseApiKey } from "./api-key-format.ts";
import type { ApiKeyRecord } from "./api-key-record.ts";
import { SHA256_DIGEST_PREFIX } from "./api-key-record.ts";
import { parseInstant } from "./instant.ts";

export const DEFAULT_KEY_ISSUER = "modelgate-keys";

// One record made ready for the hot path: digest bytes decoded, expiry parsed and the Identity
// built once, so verifying a key costs a hash, a Map lookup and a constant-time compare.
export interface KeyEntry {
  readonly record: ApiKeyRecord;
  readonly digestHex: string; // lower-case hex of the SHA-256, 64 characters for a valid record
  readonly expiresAtMs: number | undefined;
  readonly identity: Identity;
}

// Immutable: a reload builds a new index and swaps it whole.
export interface KeyIndex {
  readonly issuer: string;
  readonly size: number;
  get(id: string): KeyEntry | undefined;
}

export interface KeyIndexOptions {
  readonly issuer?: string; // Identity.issuer for keys of this store, e.g. a store name
}

const SHA256_HEX_LENGTH = 64;
const NO_DIGEST = "0".repeat(SHA256_HEX_LENGTH);

// Duplicate ids keep the first record (deterministic, and a later source cannot take over a key).
export function buildKeyIndex(
  records: readonly ApiKeyRecord[],
  options: KeyIndexOptions = {},
): { readonly index: KeyIndex; readonly issues: readonly Issue[] } {
  const issuer = options.issuer ?? DEFAULT_KEY_ISSUER;
  const entries = new Map<string, KeyEntry>();
  const issues = duplicateIdIssues(records);
  for (const record of records) {
    if (!entries.has(record.id)) entries.set(record.id, entryFor(record, issuer));
  }
  const index: KeyIndex = Object.freeze({ issuer, size: entries.size, get: (id: string) => entries.get(id) });
  return { index, issues };
}

export function duplicateIdIssues(records: readonly ApiKeyRecord[], path = "keys"): Issue[] {
  const firstAt = new Map<string, number>();
  const issues: Issue[] = [];
  records.forEach((record, i) => {
    const first = firstAt.get(record.id);
    if (first === undefined) firstAt.set(record.id, i);
    else issues.push({ path: `${path}[${i}].id`, message: `duplicate key id ${record.id} (first at ${path}[${first}])` });
  });
  return issues;
}

// Order matters: format and checksum before any lookup (K3); digest before revoked/expired so a
// wrong secret never learns whether an id exists or what state its key is in. `scheme`: how the
// key reached us ("ApiKey" or "Bearer"), which names the WWW-Authenticate challenge of a rejection.
export function verifyApiKey(index: KeyIndex, keyText: string, now: number, scheme = "ApiKey"): SourceOutcome {
  const parsed = parseApiKey(keyText);
  if (!parsed.ok) return rejected(parsed.error, scheme, REASONS[parsed.error].title);
  const entry = index.get(parsed.value.id);
  if (!digestMatches(entry, keyText)) return rejected("api_key_unknown", scheme, REASONS.api_key_unknown.title);
  if (entry.record.revoked) return rejected("api_key_revoked", scheme, `API key ${entry.record.id} has been revoked`);
  if (entry.expiresAtMs !== undefined && now >= entry.expiresAtMs) {
    return rejected("api_key_expired", scheme, `API key ${entry.record.id} expired at ${entry.record.expiresAt ?? ""}`);
  }
  return { kind: "identified", identity: entry.identity };
}

// An unknown id is still hashed and compared (against zeros) so both failures take the same time.
// The digest is compared as hex text: a one-shot hash to a Buffer costs ≈ 1.4 µs (most of it
// making the Buffer), to hex ≈ 0.35 µs, and the loop below is as constant-time as
// timingSafeEqual over the same 32 bytes (every character is read, no early exit).
function digestMatches(entry: KeyEntry | undefined, keyText: string): entry is KeyEntry {
  const presented = hash("sha256", keyText, "hex");
  const equal = sameHex(entry?.digestHex ?? NO_DIGEST, presented);
  return entry !== undefined && equal;
}

function sameHex(stored: string, presented: string): boolean {
  if (stored.length !== SHA256_HEX_LENGTH) return false;
  let difference = 0;
  for (let i = 0; i < SHA256_HEX_LENGTH; i += 1) difference |= stored.charCodeAt(i) ^ presented.charCodeAt(i);
  return difference === 0;
}

function rejected(reason: DenyReason, scheme: string, detail: string): SourceOutcome {
  return { kind: "rejected", reason, scheme, detail };
}

function entryFor(record: ApiKeyRecord, issuer: string): KeyEntry {
  const identity: Identity = Object.freeze({
    method: "apikey",
    subject: record.subject,
    issuer,
    keyId: record.id,
    groups: record.groups,
    attributes: record.attributes,
  });
  return Object.freeze({
    record,
    // Through bytes and back: the canonical lower-case form, and a record whose hex does not
    // decode to 32 bytes matches nothing, as the byte compare did.
    digestHex: Buffer.from(record.digest.slice(SHA256_DIGEST_PREFIX.length), "hex").toString("hex"),
    // Records normally come from parseApiKeyRecord; an unreadable expiry still fails closed.
    expiresAtMs: record.expiresAt === undefined ? undefined : (parseInstant(record.expiresAt) ?? -Infinity),
    identity,
  });
}
