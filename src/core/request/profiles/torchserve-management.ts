import type { NormalizedRequest } from "../normalized-request.ts";
import { requestError } from "../request-error.ts";
import type { MethodActions, TargetResult } from "./target.ts";
import { routeTarget, unrecognised } from "./target.ts";

// GET describes, PUT scales or sets the default version, DELETE unregisters (ml-protocols §5).
const MODEL: MethodActions = { GET: "read", PUT: "admin", DELETE: "admin" };

// Management API under /models; `rest` is the path after /models.
export function resolveTorchServeManagement(req: NormalizedRequest, rest: readonly string[], defaultModel: string): TargetResult {
  const [model, version, verb] = rest;
  if (model === undefined) {
    return req.method === "POST" ? registerTarget(req, defaultModel) : routeTarget(req.method, { GET: "list" }, "");
  }
  if (rest.length <= 2) {
    return routeTarget(req.method, MODEL, model, version ?? "");
  }
  if (rest.length === 3 && verb === "set-default") {
    return routeTarget(req.method, { PUT: "admin" }, model, version ?? "");
  }
  return unrecognised(defaultModel);
}

// POST /models?url=...&model_name=... registers a model; without `model_name` the name comes
// from the archive, which we cannot see, so the deployment's model stands in.
function registerTarget(req: NormalizedRequest, defaultModel: string): TargetResult {
  const names = req.query.get("model_name") ?? [];
  const [first] = names;
  if (names.some((name) => name !== first)) {
    return requestError("model_ambiguous", "the query names model_name more than once with different values");
  }
  return routeTarget(req.method, { POST: "admin" }, first === undefined || first === "" ? defaultModel : first);
}
