import type { NormalizedRequest } from "../normalized-request.ts";
import type { MethodActions, TargetResult } from "./target.ts";
import { routeTarget } from "./target.ts";

// For servers with no known protocol: the method alone says what the request does, and the
// deployment's model is the only model there is.
const GENERIC: MethodActions = {
  GET: "read",
  HEAD: "read",
  POST: "predict",
  PUT: "write",
  PATCH: "write",
  DELETE: "delete",
};

export function resolveGeneric(req: NormalizedRequest, defaultModel: string): TargetResult {
  return routeTarget(req.method, GENERIC, defaultModel);
}
