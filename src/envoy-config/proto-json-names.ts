import type { Field, Type } from "protobufjs";

// Envoy parses YAML/JSON with protobuf's JSON parser, which accepts a field by its json_name
// (lowerCamelCase) and by its original proto name; both spellings are looked up here.

// protoc's ToJsonName: drop each underscore and upper-case the letter after it.
export function jsonNameOf(protoName: string): string {
  return protoName.replace(/_+([a-zA-Z0-9])?/g, (_match, next: string | undefined) => (next ?? "").toUpperCase());
}

const byType = new WeakMap<Type, ReadonlyMap<string, Field>>();

function keysFor(type: Type): ReadonlyMap<string, Field> {
  const cached = byType.get(type);
  if (cached !== undefined) return cached;
  const keys = new Map<string, Field>();
  for (const field of type.fieldsArray) {
    keys.set(field.name, field);
    const explicit: unknown = field.options?.["json_name"];
    keys.set(typeof explicit === "string" ? explicit : jsonNameOf(field.name), field);
  }
  byType.set(type, keys);
  return keys;
}

export function fieldForJsonKey(type: Type, key: string): Field | undefined {
  return keysFor(type).get(key);
}

export function messageFullName(type: Type): string {
  return type.fullName.replace(/^\./, "");
}
