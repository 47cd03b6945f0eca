import type { Enum } from "protobufjs";

// proto3 JSON forms of scalar fields. Each check returns a message for a wrong value, or
// undefined; the caller attaches the path.

const INTEGER_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

const DECIMAL_INTEGER = /^-?\d+$/;
const NUMERIC_STRING = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_FLOATS = new Set(["NaN", "Infinity", "-Infinity"]);
const FLOAT_MAX = 3.4028234663852886e38;
// Standard or URL-safe alphabet, padding optional: both are accepted by protobuf's JSON parser.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function integerOf(value: unknown): bigint | undefined {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : undefined;
  if (typeof value === "string" && DECIMAL_INTEGER.test(value)) return BigInt(value);
  return undefined;
}

function checkInteger(type: string, range: readonly [bigint, bigint], value: unknown): string | undefined {
  const parsed = integerOf(value);
  if (parsed === undefined) return `${type} must be an integer (a JSON number or a decimal string)`;
  if (parsed < range[0] || parsed > range[1]) return `${String(value)} is out of range for ${type} (${range[0]}..${range[1]})`;
  return undefined;
}

function checkFloating(type: string, value: unknown): string | undefined {
  if (typeof value === "string" && SPECIAL_FLOATS.has(value)) return undefined;
  const parsed = typeof value === "number" ? value : typeof value === "string" && NUMERIC_STRING.test(value) ? Number(value) : undefined;
  if (parsed === undefined || !Number.isFinite(parsed)) return `${type} must be a number`;
  if (type === "float" && Math.abs(parsed) > FLOAT_MAX) return `${String(value)} is out of range for float`;
  return undefined;
}

function checkBytes(value: unknown): string | undefined {
  if (typeof value !== "string" || !BASE64.test(value) || value.replace(/=+$/, "").length % 4 === 1) {
    return "bytes must be a base64 string";
  }
  return undefined;
}

export function checkScalar(type: string, value: unknown): string | undefined {
  const range = INTEGER_RANGES[type];
  if (range !== undefined) return checkInteger(type, range, value);
  switch (type) {
    case "double":
    case "float":
      return checkFloating(type, value);
    case "bool":
      return typeof value === "boolean" ? undefined : "bool must be true or false";
    case "string":
      return typeof value === "string" ? undefined : "string expected";
    case "bytes":
      return checkBytes(value);
    default:
      return `unsupported scalar type ${type}`;
  }
}

export function isScalarType(type: string): boolean {
  return type in INTEGER_RANGES || ["double", "float", "bool", "string", "bytes"].includes(type);
}

// Envoy parses with protobuf's case_insensitive_enum_parsing: a name that is not declared is
// retried in upper case ("auto" reads as AUTO), nothing more lenient than that.
export function enumNameOf(enumType: Enum, value: string): string | undefined {
  if (Object.hasOwn(enumType.values, value)) return value;
  const upper = value.toUpperCase();
  return Object.hasOwn(enumType.values, upper) ? upper : undefined;
}

export function enumNumberOf(enumType: Enum, value: unknown): number | undefined {
  if (typeof value === "string") {
    const name = enumNameOf(enumType, value);
    return name === undefined ? undefined : enumType.values[name];
  }
  return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}

// proto3 enums are open: an integer outside the declared values parses (the validate rule
// `defined_only` rejects it separately); a name must be one of the declared names.
export function checkEnum(enumType: Enum, value: unknown): string | undefined {
  if (typeof value === "string") {
    if (enumNameOf(enumType, value) !== undefined) return undefined;
    return `unknown ${enumType.name} value ${JSON.stringify(value)}; expected one of ${Object.keys(enumType.values).join(", ")}`;
  }
  if (typeof value === "number" && Number.isInteger(value) && Math.abs(value) < 2 ** 31) return undefined;
  return `${enumType.name} must be a value name (${Object.keys(enumType.values).slice(0, 6).join(", ")}…) or an integer`;
}
