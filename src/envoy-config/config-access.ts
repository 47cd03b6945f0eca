import { isJsonObject } from "./json-path.ts";
import { jsonNameOf } from "./proto-json-names.ts";
import { TYPE_URL_PREFIX } from "./envoy-names.ts";

// Read-only accessors over an untrusted Envoy config value. Envoy accepts each field under its
// proto name and its lowerCamelCase JSON name, so the lint must too; anything of the wrong
// shape reads as absent (the schema validator reports shapes).

export type JsonObject = Readonly<Record<string, unknown>>;

export function read(value: unknown, protoName: string): unknown {
  if (!isJsonObject(value)) return undefined;
  return value[protoName] ?? value[jsonNameOf(protoName)];
}

export function readObject(value: unknown, protoName: string): JsonObject | undefined {
  const found = read(value, protoName);
  return isJsonObject(found) ? found : undefined;
}

export function readList(value: unknown, protoName: string): readonly unknown[] {
  const found = read(value, protoName);
  return Array.isArray(found) ? found : [];
}

export function readString(value: unknown, protoName: string): string | undefined {
  const found = read(value, protoName);
  return typeof found === "string" ? found : undefined;
}

// A number written as a JSON number or a decimal string (proto3 JSON allows both).
export function readNumber(value: unknown, protoName: string): number | undefined {
  const found = read(value, protoName);
  if (typeof found === "number") return found;
  return typeof found === "string" && /^\d+$/.test(found) ? Number(found) : undefined;
}

// The full message name an Any's "@type" names, e.g. "envoy.extensions.filters.http.router.v3.Router".
export function anyTypeName(value: unknown): string | undefined {
  const url = isJsonObject(value) ? value["@type"] : undefined;
  if (typeof url !== "string") return undefined;
  return url.startsWith(TYPE_URL_PREFIX) ? url.slice(TYPE_URL_PREFIX.length) : url.slice(url.lastIndexOf("/") + 1);
}

// A filter is recognised by its typed_config type, falling back to its conventional name.
export function isExtension(filter: unknown, name: string, typeName: string): boolean {
  const configType = anyTypeName(read(filter, "typed_config"));
  return configType === undefined ? readString(filter, "name") === name : configType === typeName;
}

// Mirrors Envoy's enum parsing: the declared name, the name in lower case, or the number.
export function enumIs(value: unknown, name: string, number: number): boolean {
  return value === number || (typeof value === "string" && (value === name || value.toUpperCase() === name));
}
