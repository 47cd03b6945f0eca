import type { NormalizedRequest } from "../normalized-request.ts";
import { pathSegments } from "../path-segments.ts";
import { requestError } from "../request-error.ts";
import type { TargetResult } from "./target.ts";
import { own, routeTarget, unrecognised } from "./target.ts";
import { splitVerbSuffix } from "./verb-suffix.ts";

const VERB_ACTIONS: Readonly<Record<string, string>> = { predict: "predict", explain: "explain" };

// KServe V1 (ml-protocols.md §1): GET /, GET /v1/models, GET /v1/models/<m>,
// POST /v1/models/<m>:predict and :explain. `/metrics` is left `unknown` on purpose.
export function resolveKserveV1(req: NormalizedRequest, defaultModel: string): TargetResult {
  const segments = pathSegments(req.path);
  if (segments.length === 0) {
    return routeTarget(req.method, { GET: "health" }, "");
  }
  if (segments[0] !== "v1" || segments[1] !== "models" || segments.length > 3) {
    return unrecognised(defaultModel);
  }
  const segment = segments[2];
  if (segment === undefined) {
    return routeTarget(req.method, { GET: "list" }, "");
  }
  const verb = splitVerbSuffix(segment, Object.keys(VERB_ACTIONS));
  if (!verb.ok) {
    return verb;
  }
  if (verb.value !== undefined) {
    return routeTarget(req.method, { POST: own(VERB_ACTIONS, verb.value.verb) ?? "unknown" }, verb.value.model);
  }
  // A colon here would be read as a verb separator by some servers (see verb-suffix.ts).
  if (segment.includes(":")) {
    return requestError("model_invalid", `model ${JSON.stringify(segment)} contains ':' (ambiguous between servers)`);
  }
  return routeTarget(req.method, { GET: "read" }, segment);
}
