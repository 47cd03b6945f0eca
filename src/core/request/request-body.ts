import type { Result } from "../result.ts";
import { ok } from "../result.ts";
import type { RequestBody } from "./normalized-request.ts";
import type { RequestError } from "./request-error.ts";
import { requestError } from "./request-error.ts";
import type { Fields } from "./shape.ts";
import { readBytes, readString } from "./shape.ts";
import { encodeUtf8 } from "./utf8.ts";

// Envoy sets this on every check that buffered a body and strips any client-supplied copy.
export const PARTIAL_BODY_HEADER = "x-envoy-auth-partial-body";

// The buffered body from `raw_body` (pack_as_bytes) or `body`. With proto3 defaults off an empty
// body is simply absent, so the partial-body header tells "buffering on, body empty" (an empty
// body) apart from "buffering off" (undefined): only the latter means the body is unknown.
export function readBody(http: Fields, headers: ReadonlyMap<string, string>): Result<RequestBody | undefined, RequestError> {
  const raw = readBytes(http, "raw_body", "http");
  if (!raw.ok) {
    return raw;
  }
  const text = readString(http, "body", "http");
  if (!text.ok) {
    return text;
  }
  const hasRaw = raw.value !== undefined && raw.value.length > 0;
  const hasText = text.value !== undefined && text.value.length > 0;
  if (hasRaw && hasText) {
    return requestError("request_malformed", "http.body and http.raw_body are both set");
  }
  const marker = headers.get(PARTIAL_BODY_HEADER);
  if (marker !== undefined && marker !== "true" && marker !== "false") {
    return requestError("header_invalid", `${PARTIAL_BODY_HEADER} must be "true" or "false"`);
  }
  if (!hasRaw && !hasText && marker === undefined) {
    return ok(undefined);
  }
  const bytes = hasRaw ? (raw.value ?? new Uint8Array(0)) : encodeUtf8(text.value ?? "");
  return ok(Object.freeze({ bytes, partial: marker === "true" }));
}
