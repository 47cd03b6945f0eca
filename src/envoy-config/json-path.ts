// Issue paths read like the config they point into: `static_resources.listeners[0].name`,
// with map keys that are not plain identifiers in brackets: `typed_per_filter_config["envoy.filters.http.ext_authz"]`.

// The parse kit's path format (core/parse/fields.ts), with the bracket form added for keys.
import { fieldPath } from "../core/parse/fields.ts";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function childPath(parent: string, key: string): string {
  return IDENTIFIER.test(key) ? fieldPath(parent, key) : `${parent}[${JSON.stringify(key)}]`;
}

export function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

export function isJsonObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
