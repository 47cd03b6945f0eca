// `modelgate check --request FILE` accepts a CheckRequest as JSON, in either the proto3 JSON
// mapping (camelCase names, base64 bytes — what Envoy and grpcurl print) or the snake_case
// form our gRPC server sees. Map fields keep their keys untouched.

const MAP_FIELDS = new Set(["headers", "context_extensions", "contextExtensions", "labels"]);
const BYTES_FIELDS = new Set(["raw_body", "rawBody", "raw_value", "rawValue"]);

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

// proto3 JSON bytes: standard or URL-safe base64, padding optional. Node's decoder silently skips
// anything else, which would turn a pasted plain-text body into garbage bytes.
function base64Bytes(value: string, key: string): Buffer {
  const data = value.replace(/={1,2}$/, "");
  const padded = data.length !== value.length;
  if (!/^[A-Za-z0-9+/_-]*$/.test(data) || data.length % 4 === 1 || (padded && value.length % 4 !== 0)) {
    throw new TypeError(`${key} must be base64 (proto3 JSON bytes)`);
  }
  return Buffer.from(data, "base64");
}

function convert(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && BYTES_FIELDS.has(key) && typeof value === "string") return base64Bytes(value, key);
  if (Array.isArray(value)) return value.map((v) => convert(v, undefined));
  if (typeof value !== "object" || value === null) return value;
  if (key !== undefined && MAP_FIELDS.has(key)) return { ...value };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[snake(k)] = convert(v, k);
  return out;
}

export function checkRequestFromJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${(error as Error).message}` };
  }
  try {
    return { ok: true, value: convert(parsed, undefined) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
