import type { Result } from "../result.ts";
import { ok } from "../result.ts";
import type { RequestError } from "./request-error.ts";
import { requestError } from "./request-error.ts";

// Narrowing helpers for the decoded protobuf object. A field of the wrong type can only come
// from a caller that is not Envoy (or a decoder bug), so it is request_malformed, never a guess.

export type Fields = Readonly<Record<string, unknown>>;

export function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function fieldOf(obj: Fields, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

export function readFields(obj: Fields, key: string, where: string): Result<Fields | undefined, RequestError> {
  const value = fieldOf(obj, key);
  if (value === undefined || value === null || isFields(value)) {
    return ok(value ?? undefined);
  }
  return requestError("request_malformed", `${where}.${key} must be a message`);
}

export function readString(obj: Fields, key: string, where: string): Result<string | undefined, RequestError> {
  const value = fieldOf(obj, key);
  if (value === undefined || value === null || typeof value === "string") {
    return ok(value ?? undefined);
  }
  return requestError("request_malformed", `${where}.${key} must be a string`);
}

export function readBytes(obj: Fields, key: string, where: string): Result<Uint8Array | undefined, RequestError> {
  const value = fieldOf(obj, key);
  if (value === undefined || value === null || value instanceof Uint8Array) {
    return ok(value ?? undefined);
  }
  return requestError("request_malformed", `${where}.${key} must be bytes`);
}

export function readArray(obj: Fields, key: string, where: string): Result<readonly unknown[] | undefined, RequestError> {
  const value = fieldOf(obj, key);
  if (value === undefined || value === null || Array.isArray(value)) {
    return ok(value ?? undefined);
  }
  return requestError("request_malformed", `${where}.${key} must be a list`);
}

// A protobuf map<string, string> as a Map, entries in insertion order (no pair per entry).
export function readStringMap(obj: Fields, key: string, where: string): Result<Map<string, string>, RequestError> {
  const value = readFields(obj, key, where);
  if (!value.ok) {
    return value;
  }
  const map = new Map<string, string>();
  const fields = value.value;
  if (fields === undefined) {
    return ok(map);
  }
  for (const name in fields) {
    if (!Object.hasOwn(fields, name)) continue;
    const item = fields[name];
    if (typeof item !== "string") {
      return requestError("request_malformed", `${where}.${key}[${JSON.stringify(name)}] must be a string`);
    }
    map.set(name, item);
  }
  return ok(map);
}

// The same map read without copying it into entries: its names, in insertion order, and the
// map itself, every value checked to be a string (the request path reads headers so, once
// per request).
export function readStringMapNames(
  obj: Fields,
  key: string,
  where: string,
): Result<{ readonly names: readonly string[]; readonly map: Readonly<Record<string, string>> }, RequestError> {
  const value = readFields(obj, key, where);
  if (!value.ok) {
    return value;
  }
  const map = value.value ?? {};
  const names = Object.keys(map);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (typeof map[name] !== "string") {
      return requestError("request_malformed", `${where}.${key}[${JSON.stringify(name)}] must be a string`);
    }
  }
  return ok({ names, map: map as Readonly<Record<string, string>> });
}
