// `subjects[]` entries: who a rule is about. Fields inside one entry all apply (AND); the entries
// of a rule are alternatives (OR); `{}` is everyone, anonymous callers included.
import type { AuthMethod } from "../identity/identity.ts";
import type { Issues } from "../parse/fields.ts";
import { describe, fieldPath, isPlainObject, optionalField, readList, readObject, readString, rejectUnknownKeys } from "../parse/fields.ts";
import { ATTRIBUTE_NAME, ATTRIBUTE_NAME_TEXT } from "./names.ts";
import { spiffePatternProblem } from "./spiffe.ts";
import { MAX_ITEMS } from "./list-limits.ts";

// Attribute values are normalised to lists: `team: a` is stored as `team: [a]`.
export interface SubjectMatcher {
  readonly method: AuthMethod | undefined;
  readonly subject: string | undefined;
  readonly issuer: string | undefined;
  readonly spiffe: string | undefined;
  readonly groups: readonly string[] | undefined;
  readonly attributes: Readonly<Record<string, readonly string[]>> | undefined;
}

const SUBJECT_KEYS = ["method", "subject", "issuer", "spiffe", "groups", "attributes"] as const;
const METHODS: readonly AuthMethod[] = ["apikey", "jwt", "mtls", "anonymous"];
const MAX_TEXT = 1024;

export function parseSubject(value: unknown, path: string, issues: Issues): SubjectMatcher | undefined {
  const obj = readObject(value, path, issues);
  if (obj === undefined) return undefined;
  const before = issues.length;
  rejectUnknownKeys(obj, SUBJECT_KEYS, path, issues);
  const matcher: SubjectMatcher = {
    method: optionalField(obj, "method", path, issues, parseMethod),
    subject: optionalField(obj, "subject", path, issues, parseText),
    issuer: optionalField(obj, "issuer", path, issues, parseText),
    spiffe: optionalField(obj, "spiffe", path, issues, parseSpiffe),
    groups: optionalField(obj, "groups", path, issues, (v, p, i) => readList(v, 1, p, i, (g, gp) => parseText(g, gp, i), MAX_ITEMS.groups)),
    attributes: optionalField(obj, "attributes", path, issues, parseAttributes),
  };
  rejectContradictions(matcher, path, issues);
  return issues.length === before ? Object.freeze(matcher) : undefined;
}

function parseMethod(value: unknown, path: string, issues: Issues): AuthMethod | undefined {
  const method = METHODS.find((m) => m === value);
  if (method === undefined) issues.push({ path, message: `expected one of ${METHODS.join(", ")}, got ${describe(value)}` });
  return method;
}

function parseText(value: unknown, path: string, issues: Issues): string | undefined {
  const text = readString(value, path, issues);
  if (text === undefined) return undefined;
  if (text.length > 0 && text.length <= MAX_TEXT) return text;
  issues.push({ path, message: `must be between 1 and ${MAX_TEXT} characters` });
  return undefined;
}

function parseSpiffe(value: unknown, path: string, issues: Issues): string | undefined {
  const text = readString(value, path, issues);
  if (text === undefined) return undefined;
  const problem = spiffePatternProblem(text);
  if (problem === undefined) return text;
  issues.push({ path, message: `${JSON.stringify(text.slice(0, 80))}: ${problem}` });
  return undefined;
}

function parseAttributes(value: unknown, path: string, issues: Issues): Readonly<Record<string, readonly string[]>> | undefined {
  const obj = readObject(value, path, issues);
  if (obj === undefined) return undefined;
  const keys = Object.keys(obj);
  if (keys.length === 0) issues.push({ path, message: "must name at least one attribute (omit it to match any)" });
  const out: Record<string, readonly string[]> = Object.create(null);
  for (const key of keys) {
    const keyPath = fieldPath(path, key);
    if (!ATTRIBUTE_NAME.test(key)) issues.push({ path: keyPath, message: `invalid attribute name: ${ATTRIBUTE_NAME_TEXT}` });
    const values = parseAttributeValue(obj[key], keyPath, issues);
    if (values !== undefined) out[key] = values;
  }
  return keys.length > 0 ? Object.freeze(out) : undefined;
}

function parseAttributeValue(value: unknown, path: string, issues: Issues): readonly string[] | undefined {
  if (typeof value === "string") return Object.freeze([value]);
  if (Array.isArray(value)) return readList(value, 1, path, issues, (v, p) => attributeString(v, p, issues));
  attributeString(value, path, issues); // neither string nor list: this records the issue
  return undefined;
}

function attributeString(value: unknown, path: string, issues: Issues): string | undefined {
  if (typeof value === "string") return value;
  const hint = typeof value === "number" || typeof value === "boolean" ? ` (quote it: "${String(value)}")` : "";
  const shape = isPlainObject(value) ? "a mapping" : describe(value);
  issues.push({ path, message: `attribute values are strings or lists of strings, got ${shape}${hint}` });
  return undefined;
}

// Combinations that can never match are almost certainly mistakes, so they are rejected.
function rejectContradictions(matcher: SubjectMatcher, path: string, issues: Issues): void {
  if (matcher.method === "anonymous") {
    const extra = (["subject", "issuer", "spiffe", "groups", "attributes"] as const).filter((k) => matcher[k] !== undefined);
    if (extra.length > 0) {
      issues.push({ path: fieldPath(path, "method"), message: `anonymous callers have no ${extra.join(", ")}; remove them or the method` });
    }
  }
  if (matcher.spiffe !== undefined && matcher.method !== undefined && matcher.method !== "mtls") {
    issues.push({ path: fieldPath(path, "spiffe"), message: "spiffe only matches mTLS identities; use method: mtls or omit method" });
  }
}
