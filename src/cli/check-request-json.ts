// `modelgate check --request FILE` accepts a CheckRequest as JSON, in either the proto3 JSON
// mapping (camelCase names, base64 bytes — what Envoy and grpcurl print) or the snake_case
// form our gRPC server sees. Map fields keep their keys untouched.

const MAP_FIELDS = new Set(["headers", "context_extensions", "contextExtensions", "labels"]);
const BYTES_FIELDS = new Set(["raw_body", "rawBody", "raw_value", "rawValue"]);

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function convert(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && BYTES_FIELDS.has(key) && typeof value === "string") return Buffer.from(value, "base64");
  if (Array.isArray(value)) return value.map((v) => convert(v, undefined));
  if (typeof value !== "object" || value === null) return value;
  if (key !== undefined && MAP_FIELDS.has(key)) return { ...value };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[snake(k)] = convert(v, k);
  return out;
}

export function checkRequestFromJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: convert(JSON.parse(text) as unknown, undefined) };
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${(error as Error).message}` };
  }
}
