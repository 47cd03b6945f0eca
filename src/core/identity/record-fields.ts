import type { AttributeValue } from "./identity.ts";
import type { Issue } from "../result.ts";
import { parseInstant } from "./instant.ts";
import { at, isPlainObject } from "../parse/fields.ts";

// Field readers for key records, in the parse-don't-cast style: each takes an unknown value and
// returns a freshly built typed value, or undefined after pushing an Issue that names the path.

export const LIMITS = Object.freeze({
  subject: 256,
  text: 256,
  description: 1024,
  attributeName: 63,
  attributes: 64,
  listItems: 64,
});

const ATTRIBUTE_NAME = /^[a-z][a-z0-9_.-]*$/;
// Control characters in a stored value would reach headers and logs; refuse them at load time.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function readText(value: unknown, path: string, issues: Issue[], max: number): string | undefined {
  if (typeof value !== "string") {
    issues.push({ path, message: `must be a string (quote numbers, booleans and dates)` });
    return undefined;
  }
  const problem = textProblem(value, max);
  if (problem !== undefined) issues.push({ path, message: problem });
  return problem === undefined ? value : undefined;
}

function textProblem(value: string, max: number): string | undefined {
  if (value.length === 0) return "must not be empty";
  if (value.length > max) return `must be at most ${max} characters`;
  if (CONTROL.test(value)) return "must not contain control characters";
  return undefined;
}

export function readTextList(value: unknown, path: string, issues: Issue[]): string[] | undefined {
  if (!Array.isArray(value)) {
    issues.push({ path, message: "must be a list of strings" });
    return undefined;
  }
  if (value.length > LIMITS.listItems) {
    issues.push({ path, message: `must have at most ${LIMITS.listItems} items` });
    return undefined;
  }
  const before = issues.length;
  const items = value.map((item: unknown, i) => readText(item, at(path, i), issues, LIMITS.text));
  return issues.length === before ? (items as string[]) : undefined;
}

export function readInstant(value: unknown, path: string, issues: Issue[]): string | undefined {
  if (typeof value === "string" && parseInstant(value) !== undefined) return value;
  issues.push({ path, message: "must be an RFC 3339 date-time with a zone, e.g. 2026-12-31T00:00:00Z (quoted)" });
  return undefined;
}

// `roles` is always a list so policies can treat it as "any of"; a single string is accepted
// and wrapped, because `roles: admin` is an obvious intent.
export function readAttributes(value: unknown, path: string, issues: Issue[]): Readonly<Record<string, AttributeValue>> | undefined {
  if (!isPlainObject(value)) {
    issues.push({ path, message: "must be a mapping of attribute name to string or list of strings" });
    return undefined;
  }
  const entries = Object.entries(value);
  if (entries.length > LIMITS.attributes) {
    issues.push({ path, message: `must have at most ${LIMITS.attributes} attributes` });
    return undefined;
  }
  const before = issues.length;
  const out: Record<string, AttributeValue> = Object.create(null) as Record<string, AttributeValue>;
  for (const [name, raw] of entries) {
    const read = readAttribute(name, raw, at(path, name), issues);
    if (read !== undefined) out[name] = name === "roles" && typeof read === "string" ? Object.freeze([read]) : read;
  }
  return issues.length === before ? Object.freeze(out) : undefined;
}

function readAttribute(name: string, raw: unknown, path: string, issues: Issue[]): AttributeValue | undefined {
  if (name.length > LIMITS.attributeName || !ATTRIBUTE_NAME.test(name)) {
    issues.push({ path, message: `attribute names match [a-z][a-z0-9_.-]* (at most ${LIMITS.attributeName} chars)` });
    return undefined;
  }
  if (Array.isArray(raw)) {
    const list = readTextList(raw, path, issues);
    return list === undefined ? undefined : Object.freeze(list);
  }
  if (typeof raw === "string") return readText(raw, path, issues, LIMITS.text);
  issues.push({ path, message: "must be a string or a list of strings (quote numbers and booleans)" });
  return undefined;
}
