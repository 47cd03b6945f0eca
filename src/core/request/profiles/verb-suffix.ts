import type { Result } from "../../result.ts";
import { ok } from "../../result.ts";
import type { RequestError } from "../request-error.ts";
import { requestError } from "../request-error.ts";

export interface VerbSegment {
  readonly model: string;
  readonly verb: string;
}

// KServe v1 puts the verb after a colon in the model segment: `m:predict`. KServe (Starlette,
// `{model_name}:predict`) takes the text before the LAST suffix as the model, so `a:b:predict`
// is model `a:b`; TorchServe's shim takes the text before the FIRST colon and only checks that
// the segment contains `:predict`, so the same path is model `a`, and `m:explain:predict` is a
// predict of `m`. No single reading is safe, so a model part that still holds a colon is refused.
export function splitVerbSuffix(segment: string, verbs: readonly string[]): Result<VerbSegment | undefined, RequestError> {
  for (const verb of verbs) {
    const suffix = `:${verb}`;
    if (segment.endsWith(suffix)) {
      const model = segment.slice(0, -suffix.length);
      if (model === "") {
        return requestError("model_invalid", `segment ${JSON.stringify(segment)} names no model`);
      }
      if (model.includes(":")) {
        return requestError("model_invalid", `model ${JSON.stringify(model)} contains ':' (ambiguous between servers)`);
      }
      return ok({ model, verb });
    }
  }
  return ok(undefined);
}
