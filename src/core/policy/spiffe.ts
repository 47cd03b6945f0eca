// SPIFFE ID matching for `subjects[].spiffe`: the trust domain must be equal, the path is a
// whole-segment glob (`spiffe://cluster.local/ns/*/sa/scorer`, `spiffe://prod.example/**`).
import { compileSegmentGlob } from "./glob.ts";
import type { StringMatcher } from "./glob.ts";
import { modelGlobProblem } from "./model-glob.ts";

const PREFIX = "spiffe://";
const TRUST_DOMAIN = /^[a-z0-9._-]{1,255}$/;

interface SpiffeParts {
  readonly trustDomain: string;
  readonly path: string; // without the leading "/"
}

function split(id: string): SpiffeParts | undefined {
  if (!id.startsWith(PREFIX)) return undefined;
  const rest = id.slice(PREFIX.length);
  const slash = rest.indexOf("/");
  if (slash <= 0) return undefined;
  return { trustDomain: rest.slice(0, slash), path: rest.slice(slash + 1) };
}

export function spiffePatternProblem(pattern: string): string | undefined {
  const parts = split(pattern);
  if (parts === undefined) return "expected spiffe://<trust-domain>/<path>, e.g. spiffe://cluster.local/ns/batch/sa/*";
  if (!TRUST_DOMAIN.test(parts.trustDomain)) return "the trust domain may contain only lower-case letters, digits, '.', '_' and '-'";
  const pathProblem = modelGlobProblem(parts.path);
  return pathProblem === undefined ? undefined : `the path ${pathProblem}`;
}

// Assumes spiffePatternProblem(pattern) is undefined.
export function compileSpiffeMatcher(pattern: string): StringMatcher {
  const parts = split(pattern);
  if (parts === undefined) return () => false;
  const trustDomain = parts.trustDomain;
  const path = compileSegmentGlob(parts.path);
  return (id) => {
    const actual = split(id);
    return actual !== undefined && actual.trustDomain === trustDomain && path(actual.path);
  };
}
