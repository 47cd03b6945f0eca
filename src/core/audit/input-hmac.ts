import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import { memoizedDigest } from "../limit/key-digest.ts";
import { err, ok, type Result } from "../result.ts";

// A keyed hash of what the caller sent, so an auditor holding the key can later prove that a
// given body (or request line) was the one decided on, while the log itself holds no content.
// A plain hash would not do: prompts and identifiers are low-entropy and can be enumerated
// (security.md D1).

export interface AuditHmacKey {
  readonly id: string; // names the key in records, so a rotated key can be told apart
  readonly bytes: Uint8Array;
  // Built once: given raw bytes, createHmac builds a KeyObject per call (≈ 11 µs against ≈ 1.7 µs).
  readonly key: KeyObject;
  // HMAC-SHA256 (hex) of a text, memoized for short texts that recur: a request line without a
  // query (`POST /v2/models/m/infer`) or a subject repeats on most requests, and each HMAC costs
  // ≈ 2–3.5 µs. Exactly hmacHex's output; see recurringHmac for what is kept.
  readonly recurring: (text: string) => string;
}

export const MIN_HMAC_KEY_BYTES = 32;
const KEY_ID_LABEL = "modelgate audit key id";

// The key is the text of the key file without surrounding whitespace, so that
// `openssl dgst -sha256 -hmac "$(cat audit-hmac.key)"` reproduces every input hash.
export function auditHmacKeyFromText(text: string): Result<AuditHmacKey, string> {
  const trimmed = text.trim();
  if (!/^[\x21-\x7e]+$/.test(trimmed)) return err("the HMAC key must be printable ASCII without spaces (e.g. openssl rand -base64 48)");
  const bytes = new TextEncoder().encode(trimmed);
  if (bytes.length < MIN_HMAC_KEY_BYTES) return err(`the HMAC key must be at least ${MIN_HMAC_KEY_BYTES} characters long`);
  return ok(auditHmacKey(bytes));
}

export function auditHmacKey(bytes: Uint8Array): AuditHmacKey {
  // An HMAC of a fixed label identifies the key without revealing anything about it.
  const id = createHmac("sha256", bytes).update(KEY_ID_LABEL).digest("hex").slice(0, 16);
  const key = createSecretKey(bytes);
  return { id, bytes, key, recurring: recurringHmac(key) };
}

export function hmacHex(key: AuditHmacKey, data: string | Uint8Array): string {
  return hmacOf(key.key, data);
}

function hmacOf(key: KeyObject, data: string | Uint8Array): string {
  return createHmac("sha256", key).update(data).digest("hex");
}

// Texts up to MEMO_TEXT_CHARS, at most MEMO_ENTRIES of them (the memo starts over when full).
// Both bounds keep the memo small and keep texts that are unlikely to recur (long ones) from
// being retained at all; a working set that fits — a deployment's models and callers — is
// hashed once.
const MEMO_ENTRIES = 2048;
const MEMO_TEXT_CHARS = 256;

function recurringHmac(key: KeyObject): (text: string) => string {
  const memo = memoizedDigest(MEMO_ENTRIES, (text) => hmacOf(key, text));
  return (text) => (text.length <= MEMO_TEXT_CHARS ? memo(text) : hmacOf(key, text));
}

const UNRESERVED_EXTRA = /[!'()*]/g;

// RFC 3986 percent-encoding of everything but unreserved characters.
function encodeComponent(text: string): string {
  return encodeURIComponent(text.toWellFormed()).replace(UNRESERVED_EXTRA, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// Names sorted by UTF-16 code units, each name's values in the order they were sent, every
// name and value percent-encoded: `a=1&a=2&b=x%20y`. Empty when there is no query.
export function canonicalQuery(query: ReadonlyMap<string, readonly string[]>): string {
  if (query.size === 0) return ""; // the usual inference call: no arrays to build and sort
  const names = [...query.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const pairs: string[] = [];
  for (const name of names) {
    for (const value of query.get(name) ?? []) pairs.push(`${encodeComponent(name)}=${encodeComponent(value)}`);
  }
  return pairs.join("&");
}

// `METHOD SP canonical-path [? canonical-query]`, hashed when Envoy sent no body.
export function requestLine(method: string, path: string, query: ReadonlyMap<string, readonly string[]>): string {
  const q = canonicalQuery(query);
  return q === "" ? `${method} ${path}` : `${method} ${path}?${q}`;
}
