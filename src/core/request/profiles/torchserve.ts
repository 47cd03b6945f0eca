import type { NormalizedRequest } from "../normalized-request.ts";
import { pathSegments } from "../path-segments.ts";
import { requestError } from "../request-error.ts";
import { resolveTorchServeManagement } from "./torchserve-management.ts";
import type { MethodActions, TargetResult } from "./target.ts";
import { routeTarget, unrecognised } from "./target.ts";
import { splitVerbSuffix } from "./verb-suffix.ts";

// TorchServe answers any method on /predictions; POST and PUT carry inputs, OPTIONS returns the
// model's OpenAPI description, and everything else is left to an explicit rule.
const PREDICT: MethodActions = { POST: "predict", PUT: "predict", OPTIONS: "read" };
const EXPLAIN: MethodActions = { POST: "explain", PUT: "explain", OPTIONS: "read" };

// TorchServe inference and management APIs (ml-protocols.md §5). Legacy `/<m>/predict`,
// `/invocations`, `/models/<m>/invoke`, workflows and plugin endpoints stay `unknown`.
export function resolveTorchServe(req: NormalizedRequest, defaultModel: string): TargetResult {
  const segments = pathSegments(req.path);
  const [area, model, version] = segments;
  switch (area) {
    case "predictions":
    case "explanations":
      // Extra segments after the version reach the handler as `url_path`: still a prediction.
      return model === undefined
        ? unrecognised(defaultModel)
        : routeTarget(req.method, area === "predictions" ? PREDICT : EXPLAIN, model, version ?? "");
    case "ping":
      return segments.length === 1 ? routeTarget(req.method, { GET: "health" }, "") : unrecognised(defaultModel);
    case "models":
      return resolveTorchServeManagement(req, segments.slice(1), defaultModel);
    case "v1":
      return resolveKfV1Shim(req.method, segments, defaultModel);
    case "v2":
      return resolveKfV2Shim(req.method, segments, defaultModel);
    case undefined: // the root path
    default:
      return unrecognised(defaultModel);
  }
}

// POST /v1/models/<m>:predict | :explain.
function resolveKfV1Shim(method: string, segments: readonly string[], defaultModel: string): TargetResult {
  const segment = segments[2];
  if (segments.length !== 3 || segments[1] !== "models" || segment === undefined) {
    return unrecognised(defaultModel);
  }
  const verb = splitVerbSuffix(segment, ["predict", "explain"]);
  if (!verb.ok || verb.value === undefined) {
    return verb.ok ? unrecognised(defaultModel) : verb;
  }
  return routeTarget(method, { POST: verb.value.verb }, verb.value.model);
}

// POST /v2/models/<m>/infer | /explain (no versioned form on TorchServe).
function resolveKfV2Shim(method: string, segments: readonly string[], defaultModel: string): TargetResult {
  const [, models, model, kind] = segments;
  if (segments.length !== 4 || models !== "models" || model === undefined) {
    return unrecognised(defaultModel);
  }
  // TorchServe's shim takes the model as the text before the first colon.
  if (model.includes(":")) {
    return requestError("model_invalid", `model ${JSON.stringify(model)} contains ':' (ambiguous between servers)`);
  }
  const action = kind === "infer" ? "predict" : kind === "explain" ? "explain" : undefined;
  return action === undefined ? routeTarget(method, {}, model) : routeTarget(method, { POST: action }, model);
}
