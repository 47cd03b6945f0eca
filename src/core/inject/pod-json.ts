// Reading the loosely typed pod JSON an AdmissionReview or a manifest carries.

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function stringMap(value: unknown): Record<string, string> {
  const obj = asObject(value) ?? {};
  return Object.fromEntries(Object.entries(obj).filter((e): e is [string, string] => typeof e[1] === "string"));
}

export function nameOf(value: unknown): string | undefined {
  const n = asObject(value)?.["name"];
  return typeof n === "string" ? n : undefined;
}
