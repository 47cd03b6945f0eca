// The one serialization every audit hash and signature is computed over, and the exact bytes
// of every audit line. The rule (a subset of RFC 8785, JCS):
//   - values are objects, arrays, strings, booleans, null and safe integers (no floats, so no
//     number formatting question ever arises);
//   - object keys are sorted by UTF-16 code units; no whitespace anywhere;
//   - strings are JSON.stringify's escaping (", \, C0 controls, lone surrogates as \uXXXX), plus
//     DEL, the C1 controls (U+0080–U+009F, where U+009B is an ANSI escape introducer) and
//     U+2028/U+2029 as \uXXXX, so a line shows no control character to a terminal or a log viewer.
// A line is valid only if it is byte-identical to the canonical form of what it parses to; that
// rules out duplicate keys, alternative number spellings and padding.

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

const EXTRA_ESCAPES = /[\u007f-\u009f\u2028\u2029]/g;
const HAS_EXTRA = /[\u007f-\u009f\u2028\u2029]/;

function escapeExtra(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

// Strings with nothing to escape (the common case: ids, names, hex digests) skip the escaper.
const PLAIN = /^[\u0020\u0021\u0023-\u005b\u005d-\u007e]*$/;

export function canonicalString(value: string): string {
  if (PLAIN.test(value)) return `"${value}"`;
  const json = JSON.stringify(value);
  return HAS_EXTRA.test(json) ? json.replace(EXTRA_ESCAPES, escapeExtra) : json;
}

// Throws on a value outside the subset: records are built by this program, so that is a bug.
export function canonicalJson(value: JsonValue): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return canonicalString(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isSafeInteger(value)) throw new Error(`canonical JSON allows safe integers only, got ${value}`);
      return Object.is(value, -0) ? "0" : String(value);
    case "object":
      return Array.isArray(value) ? canonicalArray(value as readonly JsonValue[]) : canonicalObject(value as JsonObject);
    default:
      throw new Error(`canonical JSON cannot encode a ${typeof value}`);
  }
}

function canonicalArray(items: readonly JsonValue[]): string {
  let out = "[";
  for (let i = 0; i < items.length; i += 1) out += (i === 0 ? "" : ",") + canonicalJson(items[i] as JsonValue);
  return `${out}]`;
}

function canonicalObject(object: JsonObject): string {
  return `{${canonicalMembers(object).members.join(",")}}`;
}

// The object's `"key":value` members in canonical order, for a caller that must splice in one
// more member without serializing everything twice (chain.ts adds `hash`).
// Array.prototype.sort's default order is by UTF-16 code units: the rule of this format.
export function canonicalMembers(object: JsonObject): { readonly keys: string[]; readonly members: string[] } {
  const keys = Object.keys(object).sort();
  const members: string[] = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] as string;
    const item = object[key];
    if (item === undefined) throw new Error(`canonical JSON: key "${key}" is undefined`);
    members[i] = `${canonicalString(key)}:${canonicalJson(item)}`;
  }
  return { keys, members };
}

// Parses `text` and accepts it only when it is already canonical.
export function parseCanonical(text: string): { readonly ok: true; readonly value: JsonValue } | { readonly ok: false; readonly error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse reports syntax errors by throwing; this is the parsing boundary.
    return { ok: false, error: "not valid JSON" };
  }
  let again: string;
  try {
    again = canonicalJson(value as JsonValue);
  } catch {
    return { ok: false, error: "contains a value outside the canonical subset (e.g. a fraction)" };
  }
  return again === text ? { ok: true, value: value as JsonValue } : { ok: false, error: "not in canonical form" };
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
