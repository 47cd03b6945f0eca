// The parse kit: building blocks for every "parse, don't cast" validator of a YAML/JSON input
// (configuration, policies, key records, Kubernetes objects): each reader takes an `unknown`, records
// an Issue with its path when the value is wrong, and returns a fresh typed value or undefined.
// Readers never throw, so one pass collects every problem in a document.
import type { Issue } from "../result.ts";
import { editDistance } from "../edit-distance.ts";

export type Issues = Issue[];

export type PlainObject = Readonly<Record<string, unknown>>;

// One path format for every input: `a.b[2].c`; an empty side is left out.
export function fieldPath(parent: string, key: string): string {
  if (key === "") return parent;
  return parent === "" ? key : `${parent}.${key}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

// A field or an element below `parent`, by its key or index.
export function at(parent: string, key: string | number): string {
  return typeof key === "number" ? indexPath(parent, key) : fieldPath(parent, key);
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return `${typeof value} ${String(value)}`;
}

// Only plain mappings count: YAML and JSON produce nothing else, and this rejects exotic objects.
export function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function readObject(value: unknown, path: string, issues: Issues): PlainObject | undefined {
  if (isPlainObject(value)) return value;
  issues.push({ path, message: `expected a mapping, got ${describe(value)}` });
  return undefined;
}

// A mapping whose keys are all in `allowed` (unknown ones are reported, the mapping still read).
export function readMapping(value: unknown, allowed: readonly string[], path: string, issues: Issues): PlainObject | undefined {
  const obj = readObject(value, path, issues);
  if (obj !== undefined) rejectUnknownKeys(obj, allowed, path, issues);
  return obj;
}

// Rejects keys outside `allowed`, suggesting the closest allowed key for typos like `efect`.
export function rejectUnknownKeys(obj: PlainObject, allowed: readonly string[], path: string, issues: Issues): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) issues.push({ path: fieldPath(path, key), message: unknownKeyMessage(key, allowed) });
  }
}

// The one wording for a key nobody reads, in every input: the closest allowed key, or the list.
export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const hint = closestAllowed(key, allowed);
  const suggestion = hint === undefined ? `allowed: ${allowed.join(", ")}` : `did you mean "${hint}"?`;
  return `unknown field "${key}"; ${suggestion}`;
}

export function own(obj: PlainObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

export function required(obj: PlainObject, key: string, path: string, issues: Issues): unknown {
  const value = own(obj, key);
  if (value === undefined || value === null) {
    issues.push({ path: fieldPath(path, key), message: "is required" });
    return undefined;
  }
  return value;
}

export function readString(value: unknown, path: string, issues: Issues): string | undefined {
  if (typeof value === "string") return value;
  issues.push({ path, message: `expected a string, got ${describe(value)}` });
  return undefined;
}

export function readPattern(value: unknown, pattern: RegExp, rule: string, path: string, issues: Issues): string | undefined {
  const text = readString(value, path, issues);
  if (text === undefined) return undefined;
  if (pattern.test(text)) return text;
  issues.push({ path, message: `${JSON.stringify(text.slice(0, 80))} is invalid: ${rule}` });
  return undefined;
}

export function readBoolean(value: unknown, path: string, issues: Issues): boolean | undefined {
  if (typeof value === "boolean") return value;
  issues.push({ path, message: `expected true or false, got ${describe(value)}` });
  return undefined;
}

export function readInteger(value: unknown, min: number, max: number, path: string, issues: Issues): number | undefined {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    issues.push({ path, message: `expected an integer, got ${describe(value)}` });
    return undefined;
  }
  if (value < min || value > max) {
    issues.push({ path, message: `must be between ${min} and ${max}, got ${value}` });
    return undefined;
  }
  return value;
}

// Reads a list, validating each element with `item`; `min` and `max` bound its length.
// Returns undefined if the list itself or any element is invalid.
export function readList<T>(
  value: unknown,
  min: number,
  path: string,
  issues: Issues,
  item: (element: unknown, elementPath: string) => T | undefined,
  max = Number.POSITIVE_INFINITY,
): readonly T[] | undefined {
  if (!Array.isArray(value)) {
    issues.push({ path, message: `expected a list, got ${describe(value)}` });
    return undefined;
  }
  if (value.length < min) {
    issues.push({ path, message: `must have at least ${min} item${min === 1 ? "" : "s"}` });
    return undefined;
  }
  if (value.length > max) {
    issues.push({ path, message: `must have at most ${max} items (got ${value.length})` });
    return undefined;
  }
  const out: T[] = [];
  let failed = false;
  value.forEach((element: unknown, i: number) => {
    const parsed = item(element, indexPath(path, i));
    if (parsed === undefined) failed = true;
    else out.push(parsed);
  });
  return failed ? undefined : Object.freeze(out);
}

// Reports a repeated `name` within one list, at the path of the later occurrence.
export function rejectDuplicateNames(names: readonly (string | undefined)[], path: string, what: string, issues: Issues): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === undefined) return;
    if (seen.has(name)) issues.push({ path: fieldPath(indexPath(path, i), "name"), message: `duplicate ${what} name "${name}"` });
    seen.add(name);
  });
}

// The allowed word within two edits of `word` (case ignored), for "did you mean …?" hints.
export function closestAllowed(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

export type FieldParser<T> = (value: unknown, path: string, issues: Issues) => T | undefined;

export function optionalField<T>(obj: PlainObject, key: string, path: string, issues: Issues, parse: FieldParser<T>): T | undefined {
  const value = own(obj, key);
  return value === undefined ? undefined : parse(value, fieldPath(path, key), issues);
}

export function requiredField<T>(obj: PlainObject, key: string, path: string, issues: Issues, parse: FieldParser<T>): T | undefined {
  const value = required(obj, key, path, issues);
  return value === undefined ? undefined : parse(value, fieldPath(path, key), issues);
}

export function patternParser(pattern: RegExp, rule: string): FieldParser<string> {
  return (value, path, issues) => readPattern(value, pattern, rule, path, issues);
}

export function integerParser(min: number, max: number): FieldParser<number> {
  return (value, path, issues) => readInteger(value, min, max, path, issues);
}

export function oneOfParser<T extends string>(choices: readonly T[]): FieldParser<T> {
  return (value, path, issues) => {
    if ((choices as readonly unknown[]).includes(value)) return value as T;
    issues.push({ path, message: `expected one of ${choices.join(", ")}, got ${describe(value)}` });
    return undefined;
  };
}
