import type { AttributeValue, Identity } from "../identity.ts";
import { err, ok, type Result } from "../../result.ts";
import { sanitizeHeaderValue } from "../sanitize.ts";
import { readClaim, type ClaimPath } from "./claim-path.ts";
import type { ClaimMapping } from "./jwt-config.ts";

// Verified claims → the one Identity shape every source produces, so a policy's
// `attributes: {team: data_science}` matches a JWT claim exactly as it matches a key attribute.
//
// Values reach upstream headers and log lines, so each is sanitised (no controls, bounded
// length). Lists are never truncated: dropping a group could let a caller slip past a Deny rule
// that names it, so an oversized list rejects the token instead.

export const CLAIM_VALUE_LIMITS = Object.freeze({
  valueLength: 256,
  groups: 256,
  listItems: 64,
});

export function identityFromClaims(
  claims: Readonly<Record<string, unknown>>,
  mapping: ClaimMapping,
  issuer: string,
  keyId: string,
): Result<Identity, string> {
  const subject = subjectOf(claims, mapping.subject);
  if (!subject.ok) return subject;
  const groups = groupsOf(claims, mapping.groups);
  if (!groups.ok) return groups;
  const attributes: Record<string, AttributeValue> = {};
  for (const [name, path] of mapping.attributes) {
    const value = attributeOf(claims, path);
    if (!value.ok) return value;
    if (value.value !== undefined) attributes[name] = value.value;
  }
  return ok(
    Object.freeze({
      method: "jwt",
      subject: subject.value,
      issuer,
      keyId: sanitizeHeaderValue(keyId, CLAIM_VALUE_LIMITS.valueLength),
      groups: groups.value,
      attributes: Object.freeze(attributes),
    }),
  );
}

function subjectOf(claims: unknown, path: ClaimPath): Result<string, string> {
  const read = readClaim(claims, path);
  const value = read.values.length === 1 && !read.fannedOut ? read.values[0] : undefined;
  if (typeof value !== "string") return err(`the subject claim ${path.text} is missing or not a string`);
  const subject = clean(value);
  return subject === "" ? err(`the subject claim ${path.text} is empty`) : ok(subject);
}

function groupsOf(claims: unknown, paths: readonly ClaimPath[]): Result<readonly string[], string> {
  const groups = new Set<string>();
  for (const path of paths) {
    const values = scalarsAt(claims, path);
    if (values === undefined) return err(`the groups claim ${path.text} must hold strings`);
    for (const value of values) groups.add(value);
    if (groups.size > CLAIM_VALUE_LIMITS.groups) return err(`more than ${CLAIM_VALUE_LIMITS.groups} groups`);
  }
  groups.delete("");
  return ok(Object.freeze([...groups]));
}

// undefined when the claim is absent: a policy matching on it then simply does not match.
function attributeOf(claims: unknown, path: ClaimPath): Result<AttributeValue | undefined, string> {
  const read = readClaim(claims, path);
  if (read.values.length === 0) return ok(undefined);
  const single = read.values.length === 1 && !read.fannedOut ? read.values[0] : undefined;
  if (single !== undefined && isScalar(single)) return ok(clean(String(single)));
  const values = scalarsAt(claims, path);
  if (values === undefined) return err(`the claim ${path.text} must be a string, number, boolean or a list of them`);
  if (values.length > CLAIM_VALUE_LIMITS.listItems)
    return err(`the claim ${path.text} has more than ${CLAIM_VALUE_LIMITS.listItems} values`);
  return ok(Object.freeze([...new Set(values)]));
}

// Every value found at `path`, with one level of arrays flattened; undefined when any value is
// an object, null or a nested array (a claim shaped unlike the mapping expects).
function scalarsAt(claims: unknown, path: ClaimPath): string[] | undefined {
  const out: string[] = [];
  for (const value of readClaim(claims, path).values) {
    const items: readonly unknown[] = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (!isScalar(item)) return undefined;
      out.push(clean(String(item)));
    }
  }
  return out;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

function clean(value: string): string {
  return sanitizeHeaderValue(value, CLAIM_VALUE_LIMITS.valueLength);
}
