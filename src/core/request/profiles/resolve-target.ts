import type { ModelAction, ProtocolName } from "../../model-action.ts";
import type { NormalizedRequest } from "../normalized-request.ts";
import type { Result } from "../../result.ts";
import type { RequestError } from "../request-error.ts";
import { requestError } from "../request-error.ts";
import { resolveGeneric } from "./generic.ts";
import { resolveKserveV1 } from "./kserve-v1.ts";
import { modelNameProblem } from "./model-name.ts";
import { resolveOpenInferenceV2 } from "./open-inference-v2.ts";
import { resolveOpenAi } from "./openai.ts";
import type { TargetResult } from "./target.ts";
import { resolveTorchServe } from "./torchserve.ts";

// Model and action for a request under the deployment's protocol profile. Multi-model servers
// are legitimate, so the resolved model is never forced to `defaultModel`; policies select by
// model glob. Every model name, whatever its source, passes the same check here.
export function resolveTarget(req: NormalizedRequest, profile: ProtocolName, defaultModel: string): Result<ModelAction, RequestError> {
  const resolved = resolveWith(profile, req, defaultModel);
  if (!resolved.ok || resolved.value.model === "") {
    return resolved;
  }
  const problem = modelNameProblem(resolved.value.model);
  return problem === undefined ? resolved : requestError("model_invalid", problem);
}

function resolveWith(profile: ProtocolName, req: NormalizedRequest, defaultModel: string): TargetResult {
  switch (profile) {
    case "generic":
      return resolveGeneric(req, defaultModel);
    case "kserve-v1":
      return resolveKserveV1(req, defaultModel);
    case "open-inference-v2":
      return resolveOpenInferenceV2(req, defaultModel);
    case "openai":
      return resolveOpenAi(req, defaultModel);
    case "torchserve":
      return resolveTorchServe(req, defaultModel);
  }
}
