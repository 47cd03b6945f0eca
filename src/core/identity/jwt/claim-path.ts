import { err, ok, type Result } from "../../result.ts";

// Claim paths name where a value sits in a token's claims: `sub`, `realm_access.roles`,
// `resource_access.modelgate.roles`, `orgs[0]`, and claim names that contain dots (namespaced
// claims such as `https://example.com/team`) in brackets: `["https://example.com/claims"].team`.
// A name step applied to an array applies to each element, so `orgs.name` over
// `orgs: [{name: a}, {name: b}]` reads [a, b].

export type ClaimStep = { readonly kind: "name"; readonly name: string } | { readonly kind: "index"; readonly index: number };

export interface ClaimPath {
  readonly text: string;
  readonly steps: readonly ClaimStep[];
}

export interface ClaimRead {
  readonly values: readonly unknown[]; // empty when nothing is there
  readonly fannedOut: boolean; // true when a name step ran over an array: the result is a list
}

const MAX_PATH_LENGTH = 256;
const MAX_STEPS = 16;
const MAX_INDEX = 1023;
const BARE_NAME = /^[^.[\]"\\]+/;

export function parseClaimPath(text: string): Result<ClaimPath, string> {
  if (text.length === 0) return err("must not be empty");
  if (text.length > MAX_PATH_LENGTH) return err(`must be at most ${MAX_PATH_LENGTH} characters`);
  const steps: ClaimStep[] = [];
  let rest = text;
  while (rest.length > 0) {
    const separated = steps.length === 0 || rest.startsWith("[") ? rest : rest.startsWith(".") ? rest.slice(1) : undefined;
    if (separated === undefined)
      return err(`unexpected ${JSON.stringify(rest[0])} after ${JSON.stringify(text.slice(0, text.length - rest.length))}`);
    const step = separated.startsWith("[") ? bracketStep(separated) : nameStep(separated);
    if (!step.ok) return step;
    steps.push(step.value.step);
    rest = step.value.rest;
    if (steps.length > MAX_STEPS) return err(`must have at most ${MAX_STEPS} steps`);
  }
  return ok(Object.freeze({ text, steps: Object.freeze(steps) }));
}

type Parsed = Result<{ readonly step: ClaimStep; readonly rest: string }, string>;

function nameStep(text: string): Parsed {
  const match = BARE_NAME.exec(text);
  if (match === null) return err(`expected a claim name at ${JSON.stringify(text.slice(0, 20))}`);
  return ok({ step: { kind: "name", name: match[0] }, rest: text.slice(match[0].length) });
}

// `[3]` or `["name with . or [ ]"]` (JSON string syntax inside the brackets).
function bracketStep(text: string): Parsed {
  const index = /^\[(\d{1,4})\]/.exec(text);
  if (index !== null) {
    const n = Number(index[1]);
    if (n > MAX_INDEX) return err(`array index ${n} is larger than ${MAX_INDEX}`);
    return ok({ step: { kind: "index", index: n }, rest: text.slice(index[0].length) });
  }
  const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(text);
  if (quoted === null) return err(`expected [<index>] or ["<name>"] at ${JSON.stringify(text.slice(0, 20))}`);
  let name: unknown;
  try {
    name = JSON.parse(`"${quoted[1] ?? ""}"`);
  } catch {
    return err(`invalid escape in ${quoted[0]}`);
  }
  if (typeof name !== "string" || name.length === 0) return err("a bracketed name must not be empty");
  return ok({ step: { kind: "name", name }, rest: text.slice(quoted[0].length) });
}

// Only own properties of plain JSON objects are read, so `__proto__` or `constructor` in a path
// can never reach an object's prototype.
export function readClaim(claims: unknown, path: ClaimPath): ClaimRead {
  let values: unknown[] = [claims];
  let fannedOut = false;
  for (const step of path.steps) {
    const next: unknown[] = [];
    for (const value of values) {
      if (step.kind === "index") {
        if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
      } else if (Array.isArray(value)) {
        fannedOut = true;
        for (const element of value) pushMember(element, step.name, next);
      } else {
        pushMember(value, step.name, next);
      }
    }
    values = next;
  }
  return { values, fannedOut };
}

function pushMember(value: unknown, name: string, out: unknown[]): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return;
  if (Object.hasOwn(value, name)) out.push((value as Record<string, unknown>)[name]);
}
