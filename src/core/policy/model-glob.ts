// Which models a policy governs. Globs work on whole `/`-separated segments (see glob.ts), so
// `fraud-*` can never reach into `fraud/shadow-copy`.
import { compileSegmentGlob } from "./glob.ts";
import type { StringMatcher } from "./glob.ts";

const SEGMENT = /^[A-Za-z0-9._:@+=~*-]+$/;

// Returns why `glob` is unusable, or undefined when it is fine.
export function modelGlobProblem(glob: string): string | undefined {
  if (glob.length === 0) return "must not be empty";
  if (glob.length > 512) return "must be at most 512 characters";
  for (const segment of glob.split("/")) {
    if (segment === "") return "has an empty segment (leading, trailing or doubled '/')";
    if (segment === "**") continue;
    if (segment.includes("**")) return "'**' must be a whole segment, e.g. team/** (use '*' inside a segment)";
    if (!SEGMENT.test(segment)) {
      return "segments may contain letters, digits, '.', '_', ':', '@', '+', '=', '~', '-' and the wildcard '*'";
    }
  }
  return undefined;
}

// The empty model (a request that targets no model, such as list or server health) is governed
// only by the catch-all globs `*` and `**`; a glob like `fraud-*` must not govern it.
export function compileModelMatcher(globs: readonly string[]): StringMatcher {
  const catchAll = globs.includes("*") || globs.includes("**");
  const matchers = globs.map(compileSegmentGlob);
  if (matchers.length === 1 && matchers[0] !== undefined) {
    const only = matchers[0];
    return (model) => (model === "" ? catchAll : only(model));
  }
  return (model) => (model === "" ? catchAll : matchers.some((match) => match(model)));
}
