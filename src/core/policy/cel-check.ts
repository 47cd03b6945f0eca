// The static type check of `when` expressions. @bufbuild/cel 0.6.1 does not export a checker
// (its internal one only types constants and identifiers), yet an ill-typed condition only shows
// on live traffic: an Allow rule silently never matches, and a Deny rule, where an evaluation
// error counts as a match, denies everyone. So every expression is typed once at load against
// the declared variables (cel-types.ts) and the overloads the CEL environment itself declares
// (each library function carries its argument and result types). `dyn` — attribute values,
// whose shape depends on the identity source — is accepted anywhere and checked at run time.
import type { CelEnv, CelMapType, CelType, parse } from "@bufbuild/cel";
import { CelScalar, listType, mapType, unparse } from "@bufbuild/cel";
import type { WhenType } from "./cel-types.ts";
import { aType, assignable, BOOL, comparable, DYN, isDyn, isScalar, join, TYPE_NAMES, typeText, whenVariables } from "./cel-types.ts";

type Expr = ReturnType<typeof parse>["expr"];
type Call = Extract<Expr["exprKind"], { case: "callExpr" }>["value"];
type Comprehension = Extract<Expr["exprKind"], { case: "comprehensionExpr" }>["value"];
type Constant = Extract<Expr["exprKind"], { case: "constExpr" }>["value"];

const MAX_PROBLEMS = 5;

interface Checker {
  readonly env: CelEnv;
  readonly variables: Readonly<Record<string, WhenType>>;
  readonly problems: string[];
}

type Locals = ReadonlyMap<string, WhenType>;

// Every problem with the expression's types (at most a few), or none.
export function typeProblems(env: CelEnv, expr: Expr): string[] {
  const checker: Checker = { env, variables: whenVariables(), problems: [] };
  const result = typeOf(checker, expr, new Map());
  if (checker.problems.length === 0 && !isDyn(result) && !isScalar(result, "bool")) {
    checker.problems.push(`the condition must be a bool, but it is ${aType(result)}`);
  }
  return checker.problems.slice(0, MAX_PROBLEMS);
}

// On a problem the subexpression is typed dyn, so one mistake is reported once.
function problem(checker: Checker, message: string): WhenType {
  checker.problems.push(message);
  return DYN;
}

function typeOf(checker: Checker, expr: Expr | undefined, locals: Locals): WhenType {
  if (expr === undefined || checker.problems.length >= MAX_PROBLEMS) return DYN;
  const kind = expr.exprKind;
  switch (kind.case) {
    case "constExpr":
      return constantType(kind.value);
    case "identExpr":
      return identType(checker, kind.value.name, locals);
    case "selectExpr": {
      const operand = typeOf(checker, kind.value.operand, locals);
      const field = fieldType(checker, operand, kind.value.field);
      return kind.value.testOnly ? BOOL : field;
    }
    case "callExpr":
      return callType(checker, expr, kind.value, locals);
    case "listExpr":
      return listType(asCel(join(kind.value.elements.map((e) => typeOf(checker, e, locals)))));
    case "structExpr": {
      if (kind.value.messageName !== "") return problem(checker, `message construction (${kind.value.messageName}{...}) is not supported`);
      const keys = kind.value.entries.map((e) => (e.keyKind.case === "mapKey" ? typeOf(checker, e.keyKind.value, locals) : DYN));
      const values = kind.value.entries.map((e) => typeOf(checker, e.value, locals));
      return mapType(mapKey(join(keys)), asCel(join(values)));
    }
    case "comprehensionExpr":
      return comprehensionType(checker, kind.value, locals);
    case undefined:
      return DYN;
  }
}

function constantType(constant: Constant): WhenType {
  switch (constant.constantKind.case) {
    case "boolValue":
      return CelScalar.BOOL;
    case "int64Value":
      return CelScalar.INT;
    case "uint64Value":
      return CelScalar.UINT;
    case "doubleValue":
      return CelScalar.DOUBLE;
    case "stringValue":
      return CelScalar.STRING;
    case "bytesValue":
      return CelScalar.BYTES;
    case "nullValue":
      return CelScalar.NULL;
    case "durationValue":
    case "timestampValue":
    case undefined:
      return DYN;
  }
}

function identType(checker: Checker, name: string, locals: Locals): WhenType {
  const local = locals.get(name);
  if (local !== undefined) return local;
  if (Object.hasOwn(checker.variables, name)) return checker.variables[name] ?? DYN;
  if (TYPE_NAMES.includes(name)) return CelScalar.TYPE;
  return problem(checker, `unknown variable "${name}"; available: ${Object.keys(checker.variables).join(", ")}`);
}

function fieldType(checker: Checker, operand: WhenType, field: string): WhenType {
  if (operand.kind === "record") {
    const type = Object.hasOwn(operand.fields, field) ? operand.fields[field] : undefined;
    return type ?? problem(checker, `"${operand.name}" has no field "${field}"; fields: ${Object.keys(operand.fields).join(", ")}`);
  }
  if (operand.kind === "map" && (isDyn(operand.key) || isScalar(operand.key, "string"))) return operand.value;
  if (isDyn(operand)) return DYN;
  return problem(checker, `${aType(operand)} has no fields (".${field}")`);
}

function callType(checker: Checker, expr: Expr, call: Call, locals: Locals): WhenType {
  const before = checker.problems.length;
  const args = call.args.map((a) => typeOf(checker, a, locals));
  const target = call.target === undefined ? undefined : typeOf(checker, call.target, locals);
  if (checker.problems.length > before) return DYN; // an operand already failed; do not pile on
  switch (call.function) {
    case "_&&_":
    case "_||_":
    case "!_":
      return args.every((a) => isDyn(a) || isScalar(a, "bool")) ? BOOL : overloadProblem(checker, expr, call.function, undefined, args);
    case "@not_strictly_false":
      return BOOL;
    case "_?_:_":
      return conditionalType(checker, expr, args);
    case "_==_":
    case "_!=_":
      return equalityType(checker, expr, args);
    case "@in":
      return inType(checker, expr, args);
    case "_[_]":
      return indexType(checker, args);
    default:
      return overloadType(checker, expr, call.function, target, args);
  }
}

function conditionalType(checker: Checker, expr: Expr, [condition = DYN, whenTrue = DYN, whenFalse = DYN]: WhenType[]): WhenType {
  if (!isDyn(condition) && !isScalar(condition, "bool"))
    return problem(checker, `the condition of ?: must be a bool, not ${aType(condition)}`);
  if (!comparable(whenTrue, whenFalse)) {
    return problem(checker, `${source(expr)}: the branches have different types (${typeText(whenTrue)} and ${typeText(whenFalse)})`);
  }
  return join([whenTrue, whenFalse]);
}

function equalityType(checker: Checker, expr: Expr, [left = DYN, right = DYN]: WhenType[]): WhenType {
  if (comparable(left, right)) return BOOL;
  return problem(checker, `${source(expr)} compares ${aType(left)} with ${aType(right)}, which are never equal`);
}

function inType(checker: Checker, expr: Expr, [element = DYN, container = DYN]: WhenType[]): WhenType {
  const inside =
    container.kind === "list"
      ? container.element
      : container.kind === "map"
        ? container.key
        : container.kind === "record"
          ? CelScalar.STRING
          : undefined;
  if (isDyn(container)) return BOOL;
  if (inside === undefined) return problem(checker, `${source(expr)}: "in" needs a list or a map, not ${aType(container)}`);
  if (comparable(element, inside)) return BOOL;
  return problem(checker, `${source(expr)} looks for ${aType(element)} among ${typeText(inside)} values, which never matches`);
}

function indexType(checker: Checker, [container = DYN, index = DYN]: WhenType[]): WhenType {
  if (isDyn(container)) return DYN;
  if (container.kind === "list") {
    return comparable(index, CelScalar.INT) ? container.element : problem(checker, `a list is indexed by a number, not ${aType(index)}`);
  }
  if (container.kind === "map") {
    return comparable(index, container.key)
      ? container.value
      : problem(checker, `${aType(container)} is indexed by ${aType(container.key)}, not ${aType(index)}`);
  }
  if (container.kind === "record")
    return comparable(index, CelScalar.STRING) ? DYN : problem(checker, `"${container.name}" is indexed by a string, not ${aType(index)}`);
  return problem(checker, `${aType(container)} cannot be indexed`);
}

function overloadType(checker: Checker, expr: Expr, name: string, target: WhenType | undefined, args: readonly WhenType[]): WhenType {
  const group = checker.env.funcs.find(name);
  if (group === undefined) return problem(checker, `unknown function "${name}"`);
  const results: CelType[] = [];
  for (const overload of group) {
    if ((overload.target === undefined) !== (target === undefined) || overload.arguments.length !== args.length) continue;
    if (target !== undefined && overload.target !== undefined && !assignable(target, overload.target)) continue;
    if (args.every((arg, i) => assignable(arg, overload.arguments[i] ?? CelScalar.DYN))) results.push(overload.result);
  }
  return results.length > 0 ? join(results) : overloadProblem(checker, expr, name, target, args);
}

function overloadProblem(checker: Checker, expr: Expr, name: string, target: WhenType | undefined, args: readonly WhenType[]): WhenType {
  const types = args.map(typeText).join(", ");
  const operator = /^[^A-Za-z]/.test(name) ? name.replaceAll("_", "") : undefined; // `_+_` → `+`
  const what =
    operator !== undefined
      ? `${operator} cannot be applied to (${types})`
      : target !== undefined
        ? `${aType(target)} has no method ${name}(${types})`
        : `${name}() does not take (${types})`;
  return problem(checker, `${source(expr)}: ${what}`);
}

// Comprehensions come from the macros (all, exists, exists_one, map, filter).
function comprehensionType(checker: Checker, c: Comprehension, locals: Locals): WhenType {
  const range = typeOf(checker, c.iterRange, locals);
  const accumulator = typeOf(checker, c.accuInit, locals);
  const [key, value] = iterationTypes(checker, range);
  const inner = new Map(locals);
  // One variable takes a list's elements or a map's keys; two take (index, element) or (key, value).
  if (c.iterVar2 === "") inner.set(c.iterVar, range.kind === "list" ? value : key);
  else inner.set(c.iterVar, key).set(c.iterVar2, value);
  inner.set(c.accuVar, accumulator);
  typeOf(checker, c.loopCondition, inner);
  typeOf(checker, c.loopStep, inner);
  return typeOf(checker, c.result, inner);
}

function iterationTypes(checker: Checker, range: WhenType): [WhenType, WhenType] {
  if (range.kind === "list") return [CelScalar.INT, range.element];
  if (range.kind === "map") return [range.key, range.value];
  if (range.kind === "record") return [CelScalar.STRING, DYN];
  if (isDyn(range)) return [DYN, DYN];
  return [problem(checker, `${aType(range)} cannot be iterated over`), DYN];
}

// Records are maps at run time.
function asCel(type: WhenType): CelType {
  return type.kind === "record" ? mapType(CelScalar.STRING, CelScalar.DYN) : type;
}

// Map keys are int, uint, bool or string; anything else fails at run time, so it is dyn here.
function mapKey(type: WhenType): CelMapType["key"] {
  const keys = [CelScalar.INT, CelScalar.UINT, CelScalar.BOOL, CelScalar.STRING];
  return keys.find((key) => type.kind === "scalar" && key.name === type.name) ?? CelScalar.DYN;
}

function source(expr: Expr): string {
  try {
    return unparse(expr);
  } catch {
    return "the expression";
  }
}
