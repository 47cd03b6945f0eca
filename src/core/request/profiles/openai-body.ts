import type { NormalizedRequest } from "../normalized-request.ts";
import type { Result } from "../../result.ts";
import { ok } from "../../result.ts";
import type { RequestError } from "../request-error.ts";
import { requestError } from "../request-error.ts";
import { decodeUtf8 } from "../utf8.ts";
import { topLevelMembers } from "./json-members.ts";
import { multipartBoundary, multipartFields } from "./multipart-fields.ts";

// Above Envoy's usual max_request_bytes; parsing more on the hot path is not worth it.
export const MAX_JSON_BODY_BYTES = 4 * 1024 * 1024;

export interface OpenAiBody {
  readonly model: string | undefined; // absent, null and "" all mean "not named"
  readonly stream: boolean;
}

const NOT_NAMED: OpenAiBody = Object.freeze({ model: undefined, stream: false });

// For routes whose model is only in the body: without the whole body there is no model, and
// falling back to the default model would authorise a request for a model we never saw.
export function readRequiredBody(req: NormalizedRequest): Result<OpenAiBody, RequestError> {
  if (req.body === undefined) {
    return requestError("body_unavailable", "the model is in the body but Envoy sent no body (with_request_body)");
  }
  if (req.body.partial) {
    return requestError("body_unavailable", "the body was cut at max_request_bytes; a model could hide past the cut");
  }
  if (!isJson(req.headers)) {
    return requestError("body_malformed", "content-type must be application/json");
  }
  return readableEncoding(req.headers) ?? parseBody(req.body.bytes);
}

// For routes whose model is in the path: a JSON body is read only to catch a second model.
export function readOptionalBody(req: NormalizedRequest): Result<OpenAiBody, RequestError> {
  if (req.body === undefined || req.body.bytes.length === 0 || !isJson(req.headers)) {
    return ok(NOT_NAMED);
  }
  if (req.body.partial) {
    return requestError("body_unavailable", "the body was cut at max_request_bytes; a model could hide past the cut");
  }
  return readableEncoding(req.headers) ?? parseBody(req.body.bytes);
}

// The server, or a decompressing proxy before it, reads the decoded body while we would read the
// encoded bytes: a model named inside could differ from the one we authorise. Only identity (or
// no Content-Encoding) is read; anything else, lists included, is refused rather than decoded here.
function readableEncoding(headers: ReadonlyMap<string, string>): ReturnType<typeof requestError> | undefined {
  const encoding = headers.get("content-encoding");
  if (encoding === undefined || encoding.trim().toLowerCase() === "identity") return undefined;
  return requestError("body_malformed", `a body with Content-Encoding ${encoding} cannot be read as the server will read it`);
}

function isJson(headers: ReadonlyMap<string, string>): boolean {
  const type = (headers.get("content-type") ?? "").split(";")[0] ?? "";
  return type.trim().toLowerCase() === "application/json";
}

function parseBody(bytes: Uint8Array): Result<OpenAiBody, RequestError> {
  if (bytes.length > MAX_JSON_BODY_BYTES) {
    return requestError("body_malformed", `JSON body larger than ${MAX_JSON_BODY_BYTES} bytes`);
  }
  const text = decodeUtf8(bytes);
  if (!text.ok) {
    return requestError("body_malformed", `body ${text.error}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.value);
  } catch {
    return requestError("body_malformed", "body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return requestError("body_malformed", "body is not a JSON object");
  }
  return readMembers(topLevelMembers(text.value, ["model", "stream"]));
}

function readMembers(members: ReadonlyMap<string, readonly unknown[]>): Result<OpenAiBody, RequestError> {
  const models = members.get("model") ?? [];
  if (!allSame(models)) {
    return requestError("model_ambiguous", "the body names `model` more than once with different values");
  }
  const model = models[0] ?? null;
  if (model !== null && typeof model !== "string") {
    return requestError("body_malformed", "`model` must be a string");
  }
  const streams = members.get("stream") ?? [];
  const stream = streams[0] ?? null;
  // Pydantic servers coerce "true"/1 to true; anything but a boolean is refused, not guessed.
  if (!allSame(streams) || (stream !== null && typeof stream !== "boolean")) {
    return requestError("body_malformed", "`stream` must be one boolean");
  }
  return ok(Object.freeze({ model: model === null || model === "" ? undefined : model, stream: stream === true }));
}

function allSame(values: readonly unknown[]): boolean {
  const first = JSON.stringify(values[0]);
  return values.every((value) => JSON.stringify(value) === first);
}

// Audio and image uploads name the model in a multipart/form-data field (`model`, and `stream`
// as "true"/"false" for transcriptions). As for JSON, the whole body is needed. FastAPI takes a
// repeated field's last value and a Node server its first, so a field named twice is refused
// even with equal values (multipart-fields.ts refuses what the parsers would read differently).
export function readMultipartBody(req: NormalizedRequest): Result<OpenAiBody, RequestError> {
  if (req.body === undefined) {
    return requestError("body_unavailable", "the model is in the form but Envoy sent no body (with_request_body)");
  }
  if (req.body.partial) {
    return requestError(
      "body_unavailable",
      "the body was cut at max_request_bytes; a model could hide past the cut (raise it to the largest upload)",
    );
  }
  const encoded = readableEncoding(req.headers);
  if (encoded !== undefined) return encoded;
  const boundary = multipartBoundary(req.headers.get("content-type") ?? "");
  if (!boundary.ok) {
    return requestError("body_malformed", `an upload needs content-type multipart/form-data with a boundary: ${boundary.error}`);
  }
  const fields = multipartFields(req.body.bytes, boundary.value, ["model", "stream"]);
  if (!fields.ok) {
    return requestError("body_malformed", `form: ${fields.error}`);
  }
  const models = fields.value.get("model") ?? [];
  if (models.length > 1) {
    return requestError("model_ambiguous", "the form names `model` more than once");
  }
  const streams = fields.value.get("stream") ?? [];
  if (streams.length > 1 || streams.some((s) => s !== "true" && s !== "false")) {
    return requestError("body_malformed", "`stream` must be given once, as true or false");
  }
  const model = models[0];
  return ok(Object.freeze({ model: model === undefined || model === "" ? undefined : model, stream: streams[0] === "true" }));
}
