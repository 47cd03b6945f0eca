import type { Result } from "../result.ts";
import { err, ok } from "../result.ts";
import { canonicalizePath } from "./canonical-path.ts";
import { isUpperCaseMethod } from "./http-token.ts";
import { pathSegments } from "./path-segments.ts";

// One segment of a custom route pattern (AccessPolicy `routes[].path`).
export type PatternSegment =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "any" } // `*`: exactly one segment
  | { readonly kind: "model"; readonly suffix: string }; // `{model}` + optional literal suffix

export interface RoutePattern {
  readonly method: string; // upper-case method, or "*"
  readonly path: string; // the pattern as written
  readonly segments: readonly PatternSegment[];
  readonly rest: boolean; // a final `**`: zero or more further segments
}

export interface RouteCapture {
  readonly model: string | undefined; // undefined when the pattern has no {model}
}

const MODEL = "{model}";

// Patterns are written in canonical form (what canonical-path.ts produces) so that what an
// author reads is exactly what is compared: no escapes, `//`, dot segments or trailing slash.
export function compileRoutePattern(method: string, path: string): Result<RoutePattern, string> {
  if (method !== "*" && !isUpperCaseMethod(method)) {
    return err(`method ${JSON.stringify(method)} must be * or an upper-case HTTP method such as POST`);
  }
  if (!path.startsWith("/")) {
    return err("path must start with /");
  }
  if (path.includes("?") || path.includes("#")) {
    return err("path must not contain a query or a fragment");
  }
  const canonical = canonicalizePath(path);
  if (!canonical.ok) {
    return err(`path is invalid: ${canonical.error.detail}`);
  }
  if (canonical.value.path !== path) {
    return err(`path must be canonical; write it as ${canonical.value.path}`);
  }
  const segments = compileSegments(pathSegments(path));
  if (!segments.ok) {
    return segments;
  }
  return ok(Object.freeze({ method, path, ...segments.value }));
}

function compileSegments(texts: readonly string[]): Result<Pick<RoutePattern, "segments" | "rest">, string> {
  const segments: PatternSegment[] = [];
  let models = 0;
  for (const [index, text] of texts.entries()) {
    if (text === "**") {
      if (index !== texts.length - 1) {
        return err("** only allowed as the last segment");
      }
      return ok({ segments: Object.freeze(segments), rest: true });
    }
    const segment = compileSegment(text);
    if (!segment.ok) {
      return segment;
    }
    models += segment.value.kind === "model" ? 1 : 0;
    if (models > 1) {
      return err("{model} may appear once");
    }
    segments.push(Object.freeze(segment.value));
  }
  return ok({ segments: Object.freeze(segments), rest: false });
}

function compileSegment(text: string): Result<PatternSegment, string> {
  if (text === "*") {
    return ok({ kind: "any" });
  }
  if (text.includes("*")) {
    return err(`* must be a whole segment (in ${JSON.stringify(text)})`);
  }
  if (!text.includes("{") && !text.includes("}")) {
    return ok({ kind: "literal", text });
  }
  if (!text.startsWith("{")) {
    return err(
      text.includes("{") ? `{model} must start its segment (in ${JSON.stringify(text)})` : `stray brace in ${JSON.stringify(text)}`,
    );
  }
  if (!text.startsWith(MODEL)) {
    return err(`unknown placeholder in ${JSON.stringify(text)}; only {model} is supported`);
  }
  const suffix = text.slice(MODEL.length);
  if (suffix.includes("{") || suffix.includes("}")) {
    return err(suffix.includes(MODEL) ? "{model} may appear once" : `stray brace in ${JSON.stringify(text)}`);
  }
  return ok({ kind: "model", suffix });
}

// Whole-segment matching of a canonical path: a literal equals its segment exactly (so
// /v1/models/foo never matches /v1/models/foobar), `*` is one non-empty segment and never spans
// a `/`, `{model}suffix` captures the non-empty text before the suffix.
export function matchRoute(pattern: RoutePattern, method: string, canonicalPath: string): RouteCapture | undefined {
  if (pattern.method !== "*" && pattern.method !== method) {
    return undefined;
  }
  const segments = pathSegments(canonicalPath);
  const count = pattern.segments.length;
  if (pattern.rest ? segments.length < count : segments.length !== count) {
    return undefined;
  }
  let model: string | undefined;
  for (const [index, part] of pattern.segments.entries()) {
    const segment = segments[index] ?? "";
    if (part.kind === "literal" ? segment !== part.text : segment === "") {
      return undefined;
    }
    if (part.kind === "model") {
      if (segment.length <= part.suffix.length || !segment.endsWith(part.suffix)) {
        return undefined;
      }
      model = segment.slice(0, segment.length - part.suffix.length);
    }
  }
  return { model };
}
