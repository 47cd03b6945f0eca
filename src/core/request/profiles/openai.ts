import type { NormalizedRequest } from "../normalized-request.ts";
import { pathSegments } from "../path-segments.ts";
import { requestError } from "../request-error.ts";
import { isOpenAiAdminRoute } from "./openai-admin-routes.ts";
import type { OpenAiBody } from "./openai-body.ts";
import { readMultipartBody, readOptionalBody, readRequiredBody } from "./openai-body.ts";
import type { TargetResult } from "./target.ts";
import { routeTarget, target, unrecognised } from "./target.ts";

// POST routes that run the model named by the body's `model`; `stream: true` makes them `stream`.
const INFERENCE_PATHS: readonly string[] = [
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/embeddings",
  "/v1/responses",
  "/v1/rerank",
  "/v1/score",
  "/v1/audio/speech",
  "/v1/images/generations",
];
// The same, for uploads whose model is a multipart/form-data field.
const FORM_PATHS: readonly string[] = ["/v1/audio/transcriptions", "/v1/audio/translations", "/v1/images/edits", "/v1/images/variations"];
// Touch the model's tokenizer but run no inference; `model` is optional in the body.
const TOKENIZER_PATHS: readonly string[] = ["/tokenize", "/detokenize", "/v1/tokenize", "/v1/detokenize"];
const HEALTH_PATHS: readonly string[] = ["/health", "/ping", "/v1/health", "/health/ready"];

// KServe serves its OpenAI routes under a prefix (KSERVE_OPENAI_ROUTE_PREFIX, default /openai);
// other servers answer 404 there, so resolving the prefixed routes like the plain ones is exact
// for KServe and harmless elsewhere.
const KSERVE_PREFIX = "/openai";

function withoutKservePrefix(req: NormalizedRequest): NormalizedRequest {
  return req.path.startsWith(`${KSERVE_PREFIX}/v1/`) ? { ...req, path: req.path.slice(KSERVE_PREFIX.length) } : req;
}

// OpenAI-compatible servers: vLLM, SGLang, TGI, Triton's and KServe's OpenAI front ends
// (ml-protocols.md §4). Admin routes are `admin` on the deployment's model, since these servers
// serve that one model and the route changes it.
export function resolveOpenAi(original: NormalizedRequest, defaultModel: string): TargetResult {
  const req = withoutKservePrefix(original);
  const { path, method } = req;
  if (isOpenAiAdminRoute(path)) {
    return target(defaultModel, "admin");
  }
  if (INFERENCE_PATHS.includes(path) || TOKENIZER_PATHS.includes(path) || FORM_PATHS.includes(path)) {
    return method === "POST" ? bodyTarget(req, defaultModel) : unrecognised(defaultModel);
  }
  if (HEALTH_PATHS.includes(path)) {
    return routeTarget(method, { GET: "health" }, "");
  }
  const segments = pathSegments(path);
  if (segments[0] === "v1" && segments[1] === "models") {
    return modelsTarget(req, segments.slice(2));
  }
  return unrecognised(defaultModel);
}

function bodyTarget(req: NormalizedRequest, defaultModel: string): TargetResult {
  const body = FORM_PATHS.includes(req.path) ? readMultipartBody(req) : readRequiredBody(req);
  if (!body.ok) {
    return body;
  }
  const model = body.value.model ?? defaultModel;
  if (TOKENIZER_PATHS.includes(req.path)) {
    return target(model, "read");
  }
  if (model === "") {
    return requestError("model_missing", "the body names no model and no default model is configured");
  }
  return target(model, body.value.stream ? "stream" : "predict");
}

// /v1/models, /v1/models/<m> (SGLang allows `/` inside <m>), POST /v1/models/<m>/{load,unload}.
function modelsTarget(req: NormalizedRequest, rest: readonly string[]): TargetResult {
  if (rest.length === 0) {
    return routeTarget(req.method, { GET: "list" }, "");
  }
  const [first, verb] = rest;
  const loading = req.method === "POST" && rest.length === 2 && (verb === "load" || verb === "unload");
  const model = loading ? (first ?? "") : rest.join("/");
  const body = readOptionalBody(req);
  if (!body.ok) {
    return body;
  }
  if (!agrees(body.value, model)) {
    return requestError("model_ambiguous", "the path and the body name different models");
  }
  return loading ? target(model, "admin") : routeTarget(req.method, { GET: "read" }, model);
}

function agrees(body: OpenAiBody, pathModel: string): boolean {
  return body.model === undefined || body.model === pathModel;
}
