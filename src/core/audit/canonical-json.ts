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

// Whether `json` holds a character EXTRA_ESCAPES names. A pure ASCII text (the usual record)
// can hold only DEL, and counting UTF-8 bytes (native, vectorised) finds out faster than the
// regular expression scans a line.
function hasExtra(json: string): boolean {
  return Buffer.byteLength(json) === json.length ? json.includes("\u007f") : HAS_EXTRA.test(json);
}

function withExtraEscapes(json: string): string {
  return hasExtra(json) ? json.replace(EXTRA_ESCAPES, escapeExtra) : json;
}

// Strings with nothing to escape (the common case: ids, names, hex digests) skip the escaper.
const PLAIN = /^[\u0020\u0021\u0023-\u005b\u005d-\u007e]*$/;

export function canonicalString(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : withExtraEscapes(JSON.stringify(value));
}

// Throws on a value outside the subset: records are built by this program, so that is a bug.
//
// Two ways to the same bytes. When every object in `value` already has its keys in canonical
// order — records are built so, and JSON.parse of a canonical line yields them so — the engine's
// JSON.stringify writes exactly the canonical text (keys in property order, strings escaped as
// canonicalString does but for the extra escapes, which can occur only inside strings and are
// applied to the whole text), several times faster than the member-wise writer; any other value
// takes the member-wise writer, which sorts.
export function canonicalJson(value: JsonValue): string {
  return inCanonicalOrder(value) ? withExtraEscapes(JSON.stringify(value)) : memberwise(value);
}

// True when JSON.stringify(value) is canonical up to the extra escapes: plain objects and arrays
// only (a Date would be written by its toJSON), each object's keys strictly ascending by code
// unit in the order the engine lists them (and writes them: integer-like keys come first, in
// numeric order), safe integers, and no undefined or sparse slot anywhere.
function inCanonicalOrder(value: JsonValue): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isSafeInteger(value);
    case "object":
      if (value === null) return true;
      return Array.isArray(value) ? itemsInCanonicalOrder(value as readonly JsonValue[]) : membersInCanonicalOrder(value as JsonObject);
    // Not JSON, though a caller's cast may claim otherwise.
    case "bigint":
    case "function":
    case "symbol":
    case "undefined":
      return false;
  }
}

function itemsInCanonicalOrder(items: readonly JsonValue[]): boolean {
  if (Object.getPrototypeOf(items) !== Array.prototype) return false;
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i];
    if (item === undefined || !inCanonicalOrder(item)) return false;
  }
  return true;
}

function membersInCanonicalOrder(object: JsonObject): boolean {
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) return false;
  // for-in walks the engine's cached key list without building an array (this check runs on
  // every object of every record). It visits the own keys in Object.keys order, then any
  // enumerable inherited ones: passing over that superset implies passing over the own keys
  // that JSON.stringify writes, so it never accepts what Object.keys would refuse.
  let previous: string | undefined;
  for (const key in object) {
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    const item = object[key];
    if (item === undefined || !inCanonicalOrder(item)) return false;
  }
  return true;
}

function memberwise(value: JsonValue): string {
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
    case "bigint":
    case "function":
    case "symbol":
    case "undefined":
      throw new Error(`canonical JSON cannot encode a ${typeof value}`);
  }
}

function canonicalArray(items: readonly JsonValue[]): string {
  let out = "[";
  for (let i = 0; i < items.length; i += 1) out += (i === 0 ? "" : ",") + canonicalJson(items[i] as JsonValue);
  return `${out}]`;
}

// Array.prototype.sort's default order is by UTF-16 code units: the rule of this format.
function canonicalObject(object: JsonObject): string {
  const keys = Object.keys(object).sort();
  let out = "{";
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] as string;
    const item = object[key];
    if (item === undefined) throw new Error(`canonical JSON: key "${key}" is undefined`);
    out += `${i === 0 ? "" : ","}${canonicalString(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}

// The canonical texts of the members of `object` that sort before `key` and of those after it,
// each as an object, so that a caller can add a member `key` between them without serializing
// everything twice (chain.ts adds `hash`, a digest of the text without it); join them with
// joinCanonicalObjects. Each half is filled in sorted order, so it takes the fast path above.
export function canonicalSplit(object: JsonObject, key: string): readonly [string, string] {
  return canonicalSplitOf(object, NO_MEMBERS, key);
}

const NO_MEMBERS: JsonObject = {};

// canonicalSplit of the members of `a` and `b` together (no key in both), without first copying
// them into one object: chain.ts merges an event with its envelope so.
export function canonicalSplitOf(a: JsonObject, b: JsonObject, key: string): readonly [string, string] {
  const below: Record<string, JsonValue> = {};
  const above: Record<string, JsonValue> = {};
  const keysA = sortedKeys(a);
  const keysB = sortedKeys(b);
  for (let i = 0, j = 0; i < keysA.length || j < keysB.length;) {
    const ka = keysA[i];
    const kb = keysB[j];
    const fromA = kb === undefined || (ka !== undefined && ka < kb);
    const k = (fromA ? ka : kb) as string;
    // Assigning "__proto__" would set a half's prototype instead of adding a member.
    if (k === key || k === "__proto__" || ka === kb) throw new Error(`canonical JSON: cannot split at "${key}" members with a key "${k}"`);
    (k < key ? below : above)[k] = (fromA ? a : b)[k] as JsonValue;
    if (fromA) i += 1;
    else j += 1;
  }
  return [canonicalJson(below), canonicalJson(above)];
}

// An object's keys in canonical order: as listed when they already are (records are built so,
// which spares a sort of two dozen keys per record), else sorted.
function sortedKeys(object: JsonObject): readonly string[] {
  const keys = Object.keys(object);
  for (let i = 1; i < keys.length; i += 1) {
    if (!((keys[i - 1] as string) < (keys[i] as string))) return keys.sort();
  }
  return keys;
}

// One canonical object from canonical objects whose keys are each all below the next one's.
// Written as one template of the members (no arrays, no per-member slices): sealing joins every
// record twice.
export function joinCanonicalObjects(...objects: readonly string[]): string {
  let members = "";
  for (const o of objects) {
    if (o === "{}") continue;
    const inner = o.slice(1, -1);
    members = members === "" ? inner : `${members},${inner}`;
  }
  return `{${members}}`;
}

// Parses `text` and accepts it only when it is already canonical.
export function parseCanonical(
  text: string,
): { readonly ok: true; readonly value: JsonValue } | { readonly ok: false; readonly error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse reports syntax errors by throwing; this is the parsing boundary.
    return { ok: false, error: "is not valid JSON" };
  }
  let again: string;
  try {
    again = canonicalJson(value as JsonValue);
  } catch {
    return { ok: false, error: "holds a value outside the canonical subset (e.g. a fraction)" };
  }
  return again === text ? { ok: true, value: value as JsonValue } : { ok: false, error: "is not in canonical form" };
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
