import { isUtf8 } from "node:buffer";
import type { ModelAction } from "../model-action.ts";
import type { NormalizedRequest } from "./normalized-request.ts";
import { ok, type Result } from "../result.ts";
import { modelNameProblem } from "./profiles/model-name.ts";
import { requestError, type RequestError } from "./request-error.ts";

// Headers some serving stacks route on instead of the path: Seldon Core v2 (`seldon-model`),
// KServe ModelMesh (`mm-vmodel-id`, `mm-model-id`, and their `-bin` forms: base64 of UTF-8),
// Ray Serve multiplexing (`serve_multiplexed_model_id`). Whatever the server routes on is the
// model that must be authorized, so:
// - with `routingHeader` configured, a request carrying that header is authorized for the
//   header's model (Seldon rewrites the path to it; pipeline names legitimately differ);
// - otherwise, and for every other routing header, a value that differs from the resolved model
//   is a denial (model_ambiguous): on a stack that does route on it, the path would be authorized
//   while the header chose the model.
// `X-Vertex-Ai-Triton-Redirect` makes Triton serve another endpoint than the one requested, so
// it is refused outright.

export const ROUTING_HEADERS = ["seldon-model", "mm-vmodel-id", "serve_multiplexed_model_id"] as const;
export type RoutingHeader = (typeof ROUTING_HEADERS)[number];

const NAMES: Readonly<Record<RoutingHeader, readonly string[]>> = {
  "seldon-model": ["seldon-model"],
  "mm-vmodel-id": ["mm-vmodel-id", "mm-model-id", "mm-vmodel-id-bin", "mm-model-id-bin"],
  // The dashed spelling too: a server that folds `-` into `_` (WSGI/CGI style) would read it as
  // Ray's header, so it must name the same model.
  serve_multiplexed_model_id: ["serve_multiplexed_model_id", "serve-multiplexed-model-id"],
};

const REDIRECT = "x-vertex-ai-triton-redirect";

interface Named {
  readonly header: string;
  readonly model: string;
}

export function applyRoutingHeaders(
  req: NormalizedRequest,
  target: ModelAction,
  routingHeader: RoutingHeader | undefined,
): Result<ModelAction, RequestError> {
  if (req.headers.has(REDIRECT))
    return requestError("header_invalid", `${REDIRECT} would send the request to another Triton endpoint than the one authorized`);
  const named = namedModels(req);
  if (!named.ok) return named;
  if (named.value.length === 0) return ok(target);
  const routed = routingHeader === undefined ? [] : named.value.filter((n) => NAMES[routingHeader].includes(n.header));
  const model = routed[0]?.model ?? target.model;
  // Server-level requests (model "") are not routed by a model header unless the stack routes on it.
  if (model === "") return ok(target);
  const disagreeing = named.value.find((n) => n.model !== model);
  if (disagreeing !== undefined) {
    const by = routed.length > 0 ? `header ${routed[0]?.header}` : "the request";
    return requestError(
      "model_ambiguous",
      `${by} names model ${JSON.stringify(model)} but header ${disagreeing.header} names ${JSON.stringify(disagreeing.model.slice(0, 80))}`,
    );
  }
  if (routed.length === 0) return ok(target);
  const problem = modelNameProblem(model);
  if (problem !== undefined) return requestError("model_invalid", `header ${routed[0]?.header}: ${problem}`);
  return ok({ ...target, model, version: model === target.model ? target.version : "", source: "header" });
}

const NONE_NAMED: readonly Named[] = Object.freeze([]);

// Walks NAMES in place and makes a list only when a header is present: most requests carry none.
function namedModels(req: NormalizedRequest): Result<readonly Named[], RequestError> {
  let named: Named[] | undefined;
  for (const routingHeader of ROUTING_HEADERS) {
    for (const header of NAMES[routingHeader]) {
      const value = req.headers.get(header);
      if (value === undefined) continue;
      const model = header.endsWith("-bin") ? decodeBinary(value) : value;
      if (model === undefined) return requestError("header_invalid", `${header} is not base64 of UTF-8 text`);
      (named ??= []).push({ header, model });
    }
  }
  return ok(named ?? NONE_NAMED);
}

// gRPC `-bin` metadata travels base64-encoded (padding optional).
function decodeBinary(value: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return undefined;
  const bytes = Buffer.from(value, "base64");
  return isUtf8(bytes) ? bytes.toString("utf8") : undefined;
}
