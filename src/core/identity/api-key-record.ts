import { createHash } from "node:crypto";
import type { AttributeValue } from "./identity.ts";
import { err, ok } from "../result.ts";
import type { Issue, Result } from "../result.ts";
import { isApiKeyId, parseApiKey } from "./api-key-format.ts";
import { LIMITS, readAttributes, readInstant, readText, readTextList } from "./record-fields.ts";
import { at, isPlainObject, readBoolean, rejectUnknownKeys } from "../parse/fields.ts";

// What a key store holds for one API key — a **contract** shared by key files, the spec of
// Kubernetes ApiKey objects and (before those) Secrets labelled modelgate.io/api-key. Only a
// digest of the key is ever stored.
//
//   id: k3v7q2m4x6ab                 # the key's id part (mgk_<id>_...), unique per store
//   digest: sha256:<64 hex>          # SHA-256 of the whole key string (UTF-8)
//   subject: alice@example.com       # who owns the key; becomes Identity.subject
//   attributes: {org: acme, team: data_science, tier: gold, roles: [reader]}  # string or list
//   groups: [ml-users]               # optional
//   expiresAt: "2027-01-01T00:00:00Z" # optional RFC 3339 with zone; expired when now >= expiresAt
//   revoked: true                    # optional, default false
//   createdAt: "2026-01-01T00:00:00Z" # optional, informational
//   description: scoring service     # optional, informational
//
// A plain SHA-256 suffices because keys carry ~190 random bits: no dictionary to try (K1).
// A future "hmac-sha256:<hex>" scheme (server-side pepper) would protect a leaked store further;
// the prefix exists so stores can migrate without a format break.
export interface ApiKeyRecord {
  readonly id: string;
  readonly digest: string;
  readonly subject: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly groups: readonly string[];
  readonly expiresAt: string | undefined;
  readonly revoked: boolean;
  readonly createdAt: string | undefined;
  readonly description: string | undefined;
}

// What `keys create` is told; everything else is derived from the key and the clock.
export interface NewKeyFields {
  readonly subject: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  readonly groups?: readonly string[];
  readonly expiresAt?: number; // epoch ms
  readonly description?: string;
}

export const SHA256_DIGEST_PREFIX = "sha256:";
export const RECORD_FIELDS = ["id", "digest", "subject", "attributes", "groups", "expiresAt", "revoked", "createdAt", "description"];
const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;
const NO_ATTRIBUTES: Readonly<Record<string, AttributeValue>> = Object.freeze({});
const NO_GROUPS: readonly string[] = Object.freeze([]);

export function keyDigest(key: string): string {
  return SHA256_DIGEST_PREFIX + createHash("sha256").update(key, "utf8").digest("hex");
}

// Takes untrusted input (a parsed YAML/JSON document or Secret data) and returns a new frozen
// record, or every problem found, each with its path under `path`. Unknown fields are rejected
// so a misspelled `revokd: true` cannot leave a key silently active.
export function parseApiKeyRecord(input: unknown, path: string): Result<ApiKeyRecord, Issue[]> {
  if (!isPlainObject(input)) return err([{ path, message: "must be a mapping (an API key record)" }]);
  const issues: Issue[] = [];
  rejectUnknownKeys(input, RECORD_FIELDS, path, issues);
  const read = <T>(key: string, reader: Reader<T>): T | undefined => readField(input, key, path, issues, reader);
  const id = read("id", readKeyId);
  const digest = read("digest", readDigest);
  const subject = read("subject", (v, p, i) => readText(v, p, i, LIMITS.subject));
  const record = {
    id: id ?? "",
    digest: digest ?? "",
    subject: subject ?? "",
    attributes: read("attributes", readAttributes) ?? NO_ATTRIBUTES,
    groups: Object.freeze(read("groups", readTextList) ?? NO_GROUPS),
    expiresAt: read("expiresAt", readInstant),
    revoked: read("revoked", readBoolean) ?? false,
    createdAt: read("createdAt", readInstant),
    description: read("description", (v, p, i) => readText(v, p, i, LIMITS.description)),
  };
  for (const key of ["id", "digest", "subject"]) {
    if (input[key] === undefined || input[key] === null) issues.push({ path: at(path, key), message: "is required" });
  }
  return issues.length > 0 ? err(issues) : ok(Object.freeze(record));
}

// Builds the record `keys create` prints, validated by the same parser a store uses on load.
export function recordForKey(key: string, fields: NewKeyFields, now: number): Result<ApiKeyRecord, Issue[]> {
  const parsed = parseApiKey(key);
  if (!parsed.ok) return err([{ path: "key", message: `is not a valid API key (${parsed.error})` }]);
  const createdAt = isoOf(now);
  const expiresAt = fields.expiresAt === undefined ? undefined : isoOf(fields.expiresAt);
  if (createdAt === undefined) return err([{ path: "createdAt", message: "the clock reading is not a valid time" }]);
  if (fields.expiresAt !== undefined && (expiresAt === undefined || fields.expiresAt <= now)) {
    return err([{ path: "expiresAt", message: "must be a valid time in the future" }]);
  }
  const raw: Record<string, unknown> = { id: parsed.value.id, digest: keyDigest(key), subject: fields.subject };
  if (fields.attributes !== undefined) raw["attributes"] = { ...fields.attributes };
  if (fields.groups !== undefined) raw["groups"] = [...fields.groups];
  if (expiresAt !== undefined) raw["expiresAt"] = expiresAt;
  raw["createdAt"] = createdAt;
  if (fields.description !== undefined) raw["description"] = fields.description;
  return parseApiKeyRecord(raw, "");
}

// The plain object written to key files and Secrets: defaults (no groups, not revoked) omitted.
export function toStoredRecord(record: ApiKeyRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { id: record.id, digest: record.digest, subject: record.subject };
  if (Object.keys(record.attributes).length > 0) out["attributes"] = plainAttributes(record.attributes);
  if (record.groups.length > 0) out["groups"] = [...record.groups];
  if (record.expiresAt !== undefined) out["expiresAt"] = record.expiresAt;
  if (record.revoked) out["revoked"] = true;
  if (record.createdAt !== undefined) out["createdAt"] = record.createdAt;
  if (record.description !== undefined) out["description"] = record.description;
  return out;
}

type Reader<T> = (value: unknown, path: string, issues: Issue[]) => T | undefined;

// null counts as absent: `expiresAt: null` in JSON reads naturally as "never expires".
function readField<T>(input: Record<string, unknown>, key: string, path: string, issues: Issue[], reader: Reader<T>): T | undefined {
  const value = input[key];
  return value === undefined || value === null ? undefined : reader(value, at(path, key), issues);
}

function readKeyId(value: unknown, path: string, issues: Issue[]): string | undefined {
  if (typeof value === "string" && isApiKeyId(value)) return value;
  issues.push({ path, message: "must be a key id: 12 characters [a-z2-7], the part after mgk_" });
  return undefined;
}

function readDigest(value: unknown, path: string, issues: Issue[]): string | undefined {
  if (typeof value === "string" && SHA256_DIGEST.test(value)) return value;
  const hmac = typeof value === "string" && value.startsWith("hmac-sha256:");
  const message = hmac
    ? "hmac-sha256 digests (peppered) are not supported yet; use sha256:<hex>"
    : "must be sha256:<64 lowercase hex digits> (the SHA-256 of the whole key)";
  issues.push({ path, message });
  return undefined;
}

function plainAttributes(attributes: Readonly<Record<string, AttributeValue>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) out[name] = typeof value === "string" ? value : [...value];
  return out;
}

function isoOf(ms: number): string | undefined {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : undefined;
}
