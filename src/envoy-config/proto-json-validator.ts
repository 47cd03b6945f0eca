import protobuf from "protobufjs";
import type { Enum, Field, Root, Type } from "protobufjs";
import type { Issue } from "../core/result.ts";
import { childPath, describeJson, isJsonObject } from "./json-path.ts";
import { indexPath } from "../core/parse/fields.ts";
import { messageRuleIssues } from "./pgv-rules.ts";
import type { PresentField } from "./pgv-rules.ts";
import { fieldForJsonKey, messageFullName } from "./proto-json-names.ts";
import { checkEnum, checkScalar, enumNumberOf } from "./proto-json-scalars.ts";
import { wellKnownChecker } from "./proto-json-well-known.ts";
import { unknownFieldMessage } from "./unknown-field.ts";

// A strict reading of a YAML/JSON value as a protobuf message, the way Envoy reads its config:
// proto3 JSON mapping (both field spellings, well-known type forms, Any by @type), unknown
// fields rejected, at most one member per oneof, plus the protoc-gen-validate rules.

export interface ProtoJsonOptions {
  // Envoy accepts most deprecated fields with a warning; the sidecar config should use none.
  readonly allowDeprecated?: boolean;
}

interface Walk {
  readonly root: Root;
  readonly issues: Issue[];
  readonly options: ProtoJsonOptions;
}

const MAX_DEPTH = 100;
const ANY = "google.protobuf.Any";

function lookupMessage(root: Root, name: string): Type | undefined {
  const found = name === "" ? null : root.lookup(name.replace(/^\./, ""));
  return found instanceof protobuf.Type ? found : undefined;
}

export function validateProtoJson(root: Root, typeName: string, value: unknown, options: ProtoJsonOptions = {}): Issue[] {
  const type = lookupMessage(root, typeName);
  if (type === undefined) return [{ path: "", message: `unknown message type ${typeName}` }];
  const walk: Walk = { root, issues: [], options };
  checkMessage(walk, type, value, "", 0);
  return walk.issues;
}

function report(walk: Walk, path: string, message: string): void {
  walk.issues.push({ path, message });
}

function checkMessage(walk: Walk, type: Type, value: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) return report(walk, path, "nesting is too deep (a YAML alias cycle?)");
  const fullName = messageFullName(type);
  if (fullName === ANY) return checkAny(walk, value, path, depth);
  const wellKnown = wellKnownChecker(fullName);
  if (wellKnown !== undefined) {
    const problem = wellKnown(value);
    return problem === undefined ? undefined : report(walk, path, problem);
  }
  if (!isJsonObject(value)) return report(walk, path, `${fullName} must be an object, got ${describeJson(value)}`);
  checkFields(walk, type, value, path, depth, new Set());
}

function checkAny(walk: Walk, value: unknown, path: string, depth: number): void {
  if (!isJsonObject(value)) return report(walk, path, `an Any must be an object with "@type", got ${describeJson(value)}`);
  if (Object.keys(value).length === 0) return; // an empty Any; Envoy then picks the extension by name
  const url = value["@type"];
  const urlPath = childPath(path, "@type");
  if (typeof url !== "string")
    return report(walk, urlPath, '"@type" is required in an Any, e.g. "type.googleapis.com/<full.message.Name>"');
  const slash = url.lastIndexOf("/");
  if (slash < 0) return report(walk, urlPath, `"${url}" is not a type URL; write "type.googleapis.com/${url}"`);
  const type = lookupMessage(walk.root, url.slice(slash + 1));
  if (type === undefined)
    return report(walk, urlPath, `unknown @type "${url}": no message ${url.slice(slash + 1)} in the Envoy protos loaded for validation`);
  const fullName = messageFullName(type);
  if (fullName === ANY || wellKnownChecker(fullName) !== undefined) {
    for (const key of Object.keys(value))
      if (key !== "@type" && key !== "value")
        report(walk, childPath(path, key), `unknown field "${key}": an Any holding ${fullName} has only "value"`);
    return checkMessage(walk, type, value["value"], childPath(path, "value"), depth + 1);
  }
  checkFields(walk, type, value, path, depth, new Set(["@type"]));
}

function checkFields(
  walk: Walk,
  type: Type,
  value: Readonly<Record<string, unknown>>,
  path: string,
  depth: number,
  skip: ReadonlySet<string>,
): void {
  const present = new Map<Field, PresentField>();
  for (const [key, fieldValue] of Object.entries(value)) {
    if (skip.has(key)) continue;
    const keyPath = childPath(path, key);
    const field = fieldForJsonKey(type, key);
    if (field === undefined) {
      report(walk, keyPath, unknownFieldMessage(type, key));
      continue;
    }
    const earlier = present.get(field);
    if (earlier !== undefined) {
      report(walk, keyPath, `"${key}" sets the same field as "${earlier.key}"`);
      continue;
    }
    if (fieldValue === null) continue; // proto3 JSON: null leaves the field at its default
    checkDeprecated(walk, field, fieldValue, keyPath);
    const before = walk.issues.length;
    checkFieldValue(walk, field, fieldValue, keyPath, depth);
    present.set(field, { key, value: fieldValue, valid: walk.issues.length === before });
  }
  checkOneofs(walk, type, present, path);
  walk.issues.push(...messageRuleIssues(type, present, path));
}

function checkOneofs(walk: Walk, type: Type, present: ReadonlyMap<Field, PresentField>, path: string): void {
  for (const oneof of type.oneofsArray) {
    const set = oneof.fieldsArray.filter((f) => present.has(f)).map((f) => present.get(f)?.key ?? f.name);
    if (set.length > 1) report(walk, path, `${set.join(" and ")} are members of oneof ${oneof.name}; set at most one`);
  }
}

function checkDeprecated(walk: Walk, field: Field, value: unknown, path: string): void {
  if (walk.options.allowDeprecated === true) return;
  if (field.options?.["deprecated"] === true) return report(walk, path, `${field.name} is deprecated`);
  const enumType = field.resolvedType instanceof protobuf.Enum ? field.resolvedType : undefined;
  if (enumType === undefined || field.repeated || field.map) return;
  const name = enumType.valuesById[enumNumberOf(enumType, value) ?? Number.NaN];
  if (name !== undefined && enumType.valuesOptions?.[name]?.["deprecated"] === true)
    report(walk, path, `${enumType.name} value ${name} is deprecated`);
}

function checkFieldValue(walk: Walk, field: Field, value: unknown, path: string, depth: number): void {
  if (field.map) return checkMap(walk, field, value, path, depth);
  if (!field.repeated) return checkSingle(walk, field, value, path, depth);
  if (!Array.isArray(value)) return report(walk, path, `${field.name} is a list, got ${describeJson(value)}`);
  value.forEach((item: unknown, i) => {
    if (item === null) report(walk, indexPath(path, i), "list items cannot be null");
    else checkSingle(walk, field, item, indexPath(path, i), depth);
  });
}

function checkMap(walk: Walk, field: Field, value: unknown, path: string, depth: number): void {
  if (!isJsonObject(value)) return report(walk, path, `${field.name} is a map (a JSON object), got ${describeJson(value)}`);
  const keyType = (field as unknown as { readonly keyType: string }).keyType;
  for (const [key, item] of Object.entries(value)) {
    const entryPath = childPath(path, key);
    const keyProblem =
      keyType === "string"
        ? undefined
        : keyType === "bool"
          ? key === "true" || key === "false"
            ? undefined
            : 'bool map keys are "true" or "false"'
          : checkScalar(keyType, key);
    if (keyProblem !== undefined) report(walk, entryPath, `map key: ${keyProblem}`);
    if (item === null) report(walk, entryPath, "map values cannot be null");
    else checkSingle(walk, field, item, entryPath, depth);
  }
}

function checkSingle(walk: Walk, field: Field, value: unknown, path: string, depth: number): void {
  const resolved: Type | Enum | null = field.resolvedType;
  if (resolved instanceof protobuf.Type) return checkMessage(walk, resolved, value, path, depth + 1);
  const problem = resolved instanceof protobuf.Enum ? checkEnum(resolved, value) : checkScalar(field.type, value);
  if (problem !== undefined) report(walk, path, problem);
}
