// A static check of `when` expressions. @bufbuild/cel does not export its type checker, and an
// unknown name would otherwise only surface as an evaluation error on live traffic (which makes
// an Allow rule silently dead, or a Deny rule match everything). So the AST is walked once at
// validation time: every free identifier must be a declared variable, every field selected
// directly on a declared map must exist, and every named function must be in the environment.
import type { CelEnv, parse } from "@bufbuild/cel";

type Expr = ReturnType<typeof parse>["expr"];

// The variables `when` expressions see, with the fields of the map-shaped ones.
export const CEL_VARIABLES: Readonly<Record<string, readonly string[] | undefined>> = Object.freeze({
  identity: ["method", "subject", "issuer", "groups", "attributes"],
  model: ["name", "version"],
  action: undefined,
  request: ["method", "path", "host", "headers", "query", "environment", "source"],
});

const TYPE_NAMES: readonly string[] = ["int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"];
const NAMED_FUNCTION = /^[A-Za-z][A-Za-z0-9_]*$/;
const MAX_PROBLEMS = 5;

export function scopeProblems(env: CelEnv, expr: Expr): string[] {
  const problems: string[] = [];
  walk(env, expr, new Set(), problems);
  return problems.slice(0, MAX_PROBLEMS);
}

function walk(env: CelEnv, expr: Expr | undefined, locals: ReadonlySet<string>, problems: string[]): void {
  if (expr === undefined || problems.length >= MAX_PROBLEMS) return;
  const kind = expr.exprKind;
  switch (kind.case) {
    case "identExpr":
      checkIdent(kind.value.name, locals, problems);
      return;
    case "selectExpr":
      checkField(kind.value.operand, kind.value.field, locals, problems);
      walk(env, kind.value.operand, locals, problems);
      return;
    case "callExpr":
      checkFunction(env, kind.value.function, problems);
      walk(env, kind.value.target, locals, problems);
      for (const arg of kind.value.args) walk(env, arg, locals, problems);
      return;
    case "listExpr":
      for (const element of kind.value.elements) walk(env, element, locals, problems);
      return;
    case "structExpr":
      if (kind.value.messageName !== "") problems.push(`message construction (${kind.value.messageName}{...}) is not supported`);
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === "mapKey") walk(env, entry.keyKind.value, locals, problems);
        walk(env, entry.value, locals, problems);
      }
      return;
    case "comprehensionExpr": {
      const c = kind.value;
      walk(env, c.iterRange, locals, problems);
      walk(env, c.accuInit, locals, problems);
      const inner = new Set([...locals, c.iterVar, c.iterVar2, c.accuVar].filter((n) => n !== ""));
      for (const part of [c.loopCondition, c.loopStep, c.result]) walk(env, part, inner, problems);
      return;
    }
    // Literals name no variable or function. Listing every kind (no default) makes a new kind in
    // the CEL library fail the build here instead of slipping past the scope check.
    case "constExpr":
    case undefined:
      return;
  }
}

function checkIdent(name: string, locals: ReadonlySet<string>, problems: string[]): void {
  if (locals.has(name) || Object.hasOwn(CEL_VARIABLES, name) || TYPE_NAMES.includes(name)) return;
  problems.push(`unknown variable "${name}"; available: ${Object.keys(CEL_VARIABLES).join(", ")}`);
}

function checkField(operand: Expr | undefined, field: string, locals: ReadonlySet<string>, problems: string[]): void {
  if (operand?.exprKind.case !== "identExpr") return;
  const name = operand.exprKind.value.name;
  if (locals.has(name) || !Object.hasOwn(CEL_VARIABLES, name)) return;
  const fields = CEL_VARIABLES[name];
  if (fields === undefined || fields.includes(field)) return;
  problems.push(`"${name}" has no field "${field}"; fields: ${fields.join(", ")}`);
}

function checkFunction(env: CelEnv, name: string, problems: string[]): void {
  if (!NAMED_FUNCTION.test(name) || env.funcs.find(name) !== undefined) return;
  problems.push(`unknown function "${name}"`);
}
