import type { ProtocolName } from "../../../../src/core/model-action.ts";
import type { NormalizedRequest } from "../../../../src/core/request/normalized-request.ts";
import { canonicalizePath } from "../../../../src/core/request/canonical-path.ts";
import { resolveTarget } from "../../../../src/core/request/profiles/resolve-target.ts";
import { request } from "../builders.ts";

// What a row expects: [action, model, version?] or a deny reason.
export type Expected = readonly [string, string, string?] | string;

// Resolves a raw path the way the pipeline does: canonicalise first, then the profile.
export function resolveRaw(
  profile: ProtocolName,
  method: string,
  rawPath: string,
  defaultModel = "default-model",
  overrides: Partial<NormalizedRequest> = {},
): Expected {
  const canonical = canonicalizePath(rawPath);
  if (!canonical.ok) {
    return canonical.error.reason;
  }
  const req = request({ method, rawPath, path: canonical.value.path, query: canonical.value.query, ...overrides });
  return outcome(resolveTarget(req, profile, defaultModel));
}

export function resolveRequest(profile: ProtocolName, req: NormalizedRequest, defaultModel = "default-model"): Expected {
  return outcome(resolveTarget(req, profile, defaultModel));
}

function outcome(result: ReturnType<typeof resolveTarget>): Expected {
  if (!result.ok) {
    return result.error.reason;
  }
  const { action, model, version, source } = result.value;
  if (source !== "profile") {
    throw new Error(`unexpected source ${source}`);
  }
  return version === "" ? [action, model] : [action, model, version];
}
