// `routes[]`: extra method + path → action mappings a policy adds in front of the protocol
// profile, e.g. `POST /v1/models/{model}:retrain → train`.
import { compileRoutePattern } from "../request/route-pattern.ts";
import type { Issues } from "../parse/fields.ts";
import { fieldPath, patternParser, readMapping, readString, requiredField } from "../parse/fields.ts";
import { ACTION_NAME, ACTION_NAME_TEXT } from "./names.ts";

export interface RouteSpec {
  readonly method: string;
  readonly path: string;
  readonly action: string;
}

const ROUTE_KEYS = ["method", "path", "action"] as const;
const METHOD = /^(?:\*|[A-Z]{1,20})$/;
const METHOD_TEXT = "an upper-case HTTP method such as GET or POST, or * for any method";

export function parseRoute(value: unknown, path: string, issues: Issues): RouteSpec | undefined {
  const obj = readMapping(value, ROUTE_KEYS, path, issues);
  if (obj === undefined) return undefined;
  const method = requiredField(obj, "method", path, issues, patternParser(METHOD, METHOD_TEXT));
  const routePath = requiredField(obj, "path", path, issues, readString);
  const action = requiredField(obj, "action", path, issues, patternParser(ACTION_NAME, ACTION_NAME_TEXT));
  if (method === undefined || routePath === undefined || action === undefined) return undefined;
  const compiled = compileRoutePattern(method, routePath);
  if (!compiled.ok) {
    issues.push({ path: fieldPath(path, "path"), message: compiled.error });
    return undefined;
  }
  return Object.freeze({ method, path: routePath, action });
}
