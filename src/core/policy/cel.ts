// `when` conditions: parsed and checked once when a policy is validated, planned once when it
// is compiled, and run per request against lazily built bindings (cel-bindings.ts).
import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import type { CelEnv } from "@bufbuild/cel";
import type { Result } from "../result.ts";
import { err, ok } from "../result.ts";
import type { CelBindings } from "./cel-bindings.ts";
import { typeProblems } from "./cel-check.ts";

// Long enough for any readable condition, short enough that parsing cannot exhaust the stack.
export const MAX_WHEN_LENGTH = 2048;

// "error" covers evaluation errors and non-boolean results; callers decide what it means
// (no match for Allow, match for Deny).
export type WhenOutcome = true | false | "error";

export type WhenProgram = (bindings: CelBindings) => WhenOutcome;

// The standard CEL library only; built per call so no environment exists at import time.
export function createCelEnv(): CelEnv {
  return celEnv();
}

type Parsed = ReturnType<typeof parse>;

function parseWhen(env: CelEnv, source: string): Result<Parsed, string> {
  if (source.trim() === "") return err("must not be empty (omit `when` to match unconditionally)");
  if (source.length > MAX_WHEN_LENGTH) return err(`must be at most ${MAX_WHEN_LENGTH} characters`);
  let parsed: Parsed;
  try {
    parsed = parse(source);
  } catch (e: unknown) {
    return err(`CEL syntax error: ${syntaxMessage(e)}`);
  }
  const problems = typeProblems(env, parsed.expr);
  return problems.length === 0 ? ok(parsed) : err(problems.join("; "));
}

function syntaxMessage(e: unknown): string {
  if (e instanceof RangeError) return "expression is nested too deeply";
  const text = e instanceof Error ? e.message : String(e);
  const located = /^<input>:(\d+):(\d+): (.*)$/s.exec(text);
  return located === null ? text : `line ${located[1]}, column ${located[2]}: ${located[3]}`;
}

// Validation only: returns the problem with `source`, or undefined when it compiles.
export function whenProblem(env: CelEnv, source: string): string | undefined {
  const parsed = parseWhen(env, source);
  return parsed.ok ? undefined : parsed.error;
}

export function compileWhen(env: CelEnv, source: string): Result<WhenProgram, string> {
  const parsed = parseWhen(env, source);
  if (!parsed.ok) return parsed;
  let run: (bindings: CelBindings) => unknown;
  try {
    run = plan(env, parsed.value);
  } catch (e: unknown) {
    return err(`CEL planning failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return ok((bindings) => {
    const value = run(bindings);
    if (isCelError(value) || typeof value !== "boolean") return "error";
    return value;
  });
}
