// The static types of what `when` expressions see. The variables are declared with the types
// cel-bindings.ts really builds, so cel-check.ts can refuse a condition that could never be true
// (`request.environment == 1`) or could only fail (`request.environment < 1`) when it is loaded.
import type { CelType } from "@bufbuild/cel";
import { CelScalar, listType, mapType } from "@bufbuild/cel";

// One of our variables: a map at run time, but with a fixed set of fields known here.
export interface RecordType {
  readonly kind: "record";
  readonly name: string;
  readonly fields: Readonly<Record<string, WhenType>>;
}

export type WhenType = CelType | RecordType;

export const DYN: WhenType = CelScalar.DYN;
export const BOOL: WhenType = CelScalar.BOOL;

function record(name: string, fields: Readonly<Record<string, WhenType>>): RecordType {
  return Object.freeze({ kind: "record", name, fields: Object.freeze(fields) });
}

// Built per call (as the CEL environment is), so nothing is constructed at import time.
export function whenVariables(): Readonly<Record<string, WhenType>> {
  const { STRING } = CelScalar;
  return Object.freeze({
    identity: record("identity", {
      method: STRING,
      subject: STRING,
      issuer: STRING,
      groups: listType(STRING),
      // An attribute is a string or a list of strings, depending on the identity source.
      attributes: mapType(STRING, CelScalar.DYN),
    }),
    model: record("model", { name: STRING, version: STRING }),
    action: STRING,
    request: record("request", {
      method: STRING,
      path: STRING,
      host: STRING,
      headers: mapType(STRING, STRING),
      query: mapType(STRING, listType(STRING)),
      environment: STRING,
      source: STRING,
    }),
  });
}

// Names that denote types (`type(x) == string`).
export const TYPE_NAMES: readonly string[] = [
  "int",
  "uint",
  "double",
  "bool",
  "string",
  "bytes",
  "list",
  "map",
  "null_type",
  "type",
  "dyn",
];

export function typeText(type: WhenType): string {
  switch (type.kind) {
    case "record":
      return type.name;
    case "list":
      return `list(${typeText(type.element)})`;
    case "map":
      return `map(${typeText(type.key)}, ${typeText(type.value)})`;
    case "object":
    case "scalar":
      return type.name;
  }
}

// "an int", "a string", "a list(string)".
export function aType(type: WhenType): string {
  const text = typeText(type);
  return `${/^[aeiou]/.test(text) ? "an" : "a"} ${text}`;
}

export function isDyn(type: WhenType): boolean {
  return type.kind === "scalar" && type.name === "dyn";
}

export function isScalar(type: WhenType, name: string): boolean {
  return type.kind === "scalar" && type.name === name;
}

const NUMERIC = ["int", "uint", "double"];

function isNumeric(type: WhenType): boolean {
  return type.kind === "scalar" && NUMERIC.includes(type.name);
}

// Whether a value of type `arg` may be passed where the library declares `param`.
export function assignable(arg: WhenType, param: CelType): boolean {
  if (isDyn(arg) || (param.kind === "scalar" && param.name === "dyn")) return true;
  switch (param.kind) {
    case "scalar":
      return arg.kind === "scalar" && arg.name === param.name;
    case "list":
      return arg.kind === "list" && assignable(arg.element, param.element);
    case "map":
      if (arg.kind === "record") return assignable(CelScalar.STRING, param.key);
      return arg.kind === "map" && assignable(arg.key, param.key) && assignable(arg.value, param.value);
    case "object":
      return arg.kind === "object" && arg.name === param.name;
  }
}

// Whether `==` between the two types can ever be true (CEL compares numbers across types).
export function comparable(a: WhenType, b: WhenType): boolean {
  if (isDyn(a) || isDyn(b) || (isNumeric(a) && isNumeric(b))) return true;
  if (a.kind === "list" && b.kind === "list") return comparable(a.element, b.element);
  if (a.kind === "map" && b.kind === "map") return comparable(a.key, b.key) && comparable(a.value, b.value);
  if ((a.kind === "map" || a.kind === "record") && (b.kind === "map" || b.kind === "record")) return true;
  return a.kind === b.kind && a.name === b.name;
}

// The type of a value that is one of `types`: theirs when they agree, otherwise dyn.
export function join(types: readonly WhenType[]): WhenType {
  const [first, ...rest] = types;
  if (first === undefined) return DYN;
  return rest.every((t) => sameType(t, first)) ? first : DYN;
}

function sameType(a: WhenType, b: WhenType): boolean {
  if (a.kind === "list" && b.kind === "list") return sameType(a.element, b.element);
  if (a.kind === "map" && b.kind === "map") return sameType(a.key, b.key) && sameType(a.value, b.value);
  return a.kind === b.kind && a.name === b.name;
}
