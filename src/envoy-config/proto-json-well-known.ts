import { checkScalar } from "./proto-json-scalars.ts";
import { checkTimestamp, parseDurationNanos } from "./proto-time.ts";
import { isJsonObject } from "./json-path.ts";

// Well-known types have their own JSON forms instead of the generic message object. Any is not
// here: it recurses into the schema walker.

type Checker = (value: unknown) => string | undefined;

const WRAPPED_SCALAR: Readonly<Record<string, string>> = {
  "google.protobuf.DoubleValue": "double",
  "google.protobuf.FloatValue": "float",
  "google.protobuf.Int64Value": "int64",
  "google.protobuf.UInt64Value": "uint64",
  "google.protobuf.Int32Value": "int32",
  "google.protobuf.UInt32Value": "uint32",
  "google.protobuf.BoolValue": "bool",
  "google.protobuf.StringValue": "string",
  "google.protobuf.BytesValue": "bytes",
};

function isJson(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1));
  return isJsonObject(value) && Object.values(value).every((v) => isJson(v, depth + 1));
}

function wrapper(name: string, scalar: string): Checker {
  const short = name.replace("google.protobuf.", "");
  return (value) => {
    if (isJsonObject(value)) return `${short} is written as a bare ${scalar}, not an object`;
    const problem = checkScalar(scalar, value);
    return problem === undefined ? undefined : `${short}: ${problem}`;
  };
}

const CHECKERS: ReadonlyMap<string, Checker> = new Map<string, Checker>([
  ...Object.entries(WRAPPED_SCALAR).map(([name, scalar]): [string, Checker] => [name, wrapper(name, scalar)]),
  [
    "google.protobuf.Duration",
    (v) => {
      const parsed = parseDurationNanos(v);
      return parsed.ok ? undefined : parsed.error;
    },
  ],
  ["google.protobuf.Timestamp", checkTimestamp],
  ["google.protobuf.Struct", (v) => (isJsonObject(v) && isJson(v) ? undefined : "a Struct is a JSON object")],
  ["google.protobuf.Value", (v) => (isJson(v) ? undefined : "a Value is any JSON value")],
  ["google.protobuf.ListValue", (v) => (Array.isArray(v) && isJson(v) ? undefined : "a ListValue is a JSON array")],
  [
    "google.protobuf.FieldMask",
    (v) => (typeof v === "string" ? undefined : 'a FieldMask is a string of comma-separated paths, such as "a.b,c"'),
  ],
  ["google.protobuf.Empty", (v) => (isJsonObject(v) && Object.keys(v).length === 0 ? undefined : "an Empty is {}")],
]);

export function wellKnownChecker(fullName: string): Checker | undefined {
  return CHECKERS.get(fullName);
}

export function isWrapperType(fullName: string): boolean {
  return fullName in WRAPPED_SCALAR;
}

export function wrappedScalarType(fullName: string): string | undefined {
  return WRAPPED_SCALAR[fullName];
}
