// Which models a policy governs. Globs work on whole `/`-separated segments (see glob.ts), so
// `fraud-*` can never reach into `fraud/shadow-copy`; `(server)` stands for the routes that
// name no model.
import { compileSegmentGlob } from "./glob.ts";
import type { StringMatcher } from "./glob.ts";

const SEGMENT = /^[A-Za-z0-9._:@+=~*-]+$/;

// The reserved `models` entry for the routes that name no model (server health and metadata,
// the model list, statistics of all models): the model `""`. It is not a glob and no model name
// can be written with parentheses in a glob, so it never matches a named model.
export const SERVER_WIDE = "(server)";

// Returns why `glob` is unusable, or undefined when it is fine.
export function modelGlobProblem(glob: string): string | undefined {
  if (glob === SERVER_WIDE) return undefined;
  if (glob.length === 0) return `must not be empty (write ${JSON.stringify(SERVER_WIDE)} for the routes that name no model)`;
  if (glob.length > 512) return "must be at most 512 characters";
  for (const segment of glob.split("/")) {
    if (segment === "") return "has an empty segment (leading, trailing or doubled '/')";
    if (segment === "**") continue;
    if (segment.includes("**")) return "'**' must be a whole segment, e.g. team/** (use '*' inside a segment)";
    if (!SEGMENT.test(segment)) {
      return `segments may contain letters, digits, '.', '_', ':', '@', '+', '=', '~', '-' and the wildcard '*' (or write ${JSON.stringify(SERVER_WIDE)} alone for the routes that name no model)`;
    }
  }
  return undefined;
}

// What a policy's `models` cover. Named models: any glob that matches. The empty model (a route
// that names no model): Allow rules only when `(server)` is listed, so no grant on "every model"
// ever reaches server-wide routes by accident; Deny rules also under the catch-alls `*` and `**`,
// so a broad denial keeps failing safe (as `*` in a Deny rule's actions covers everything).
export interface ModelScope {
  readonly governs: StringMatcher; // Deny rules and custom routes
  readonly allows: StringMatcher; // Allow rules
}

export function isCatchAll(glob: string): boolean {
  return glob === "*" || glob === "**";
}

export function compileModelScope(globs: readonly string[]): ModelScope {
  const serverWide = globs.includes(SERVER_WIDE);
  const denyServerWide = serverWide || globs.some(isCatchAll);
  const matchers = globs.filter((g) => g !== SERVER_WIDE).map(compileSegmentGlob);
  const named: StringMatcher =
    matchers.length === 1 && matchers[0] !== undefined ? matchers[0] : (model) => matchers.some((match) => match(model));
  return Object.freeze({
    governs: (model: string) => (model === "" ? denyServerWide : named(model)),
    allows: (model: string) => (model === "" ? serverWide : named(model)),
  });
}
