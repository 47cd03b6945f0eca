import type { Result } from "../result.ts";
import { ok } from "../result.ts";
import type { NormalizedRequest } from "./normalized-request.ts";
import type { RequestError } from "./request-error.ts";
import { requestError } from "./request-error.ts";
import { readBody } from "./request-body.ts";
import { readRequestHeaders } from "./request-headers.ts";
import { readRequestLine } from "./request-line.ts";
import { readPeer } from "./request-peer.ts";
import type { Fields } from "./shape.ts";
import { isFields, readFields, readString, readStringMap } from "./shape.ts";

interface Envelope {
  readonly attributes: Fields;
  readonly http: Fields;
}

// The only place that knows how Envoy fills a CheckRequest (see check-request.ts for the wire
// shape). Everything is checked, nothing is coerced: a request that cannot be read exactly one
// way is denied with the reason naming what was wrong.
export function normalizeRequest(raw: unknown, receivedAt: number): Result<NormalizedRequest, RequestError> {
  const envelope = locateHttp(raw);
  if (!envelope.ok) {
    return envelope;
  }
  const { attributes, http } = envelope.value;
  const headers = readRequestHeaders(http);
  if (!headers.ok) {
    return headers;
  }
  const line = readRequestLine(http, headers.value);
  if (!line.ok) {
    return line;
  }
  const rest = readRest(attributes, http, headers.value.headers);
  if (!rest.ok) {
    return rest;
  }
  const { method, rawPath, target, host, scheme } = line.value;
  return ok(
    Object.freeze({
      ...rest.value,
      method,
      path: target.path,
      rawPath,
      query: target.query,
      host,
      scheme,
      headers: headers.value.headers,
      receivedAt,
    }),
  );
}

function locateHttp(raw: unknown): Result<Envelope, RequestError> {
  if (!isFields(raw)) {
    return requestError("request_malformed", "the CheckRequest is not a message");
  }
  const attributes = readFields(raw, "attributes", "CheckRequest");
  if (!attributes.ok || attributes.value === undefined) {
    return attributes.ok ? requestError("request_malformed", "missing attributes") : attributes;
  }
  const request = readFields(attributes.value, "request", "attributes");
  if (!request.ok || request.value === undefined) {
    return request.ok ? requestError("request_malformed", "missing attributes.request") : request;
  }
  const http = readFields(request.value, "http", "attributes.request");
  if (!http.ok || http.value === undefined) {
    return http.ok ? requestError("request_malformed", "missing attributes.request.http") : http;
  }
  return ok({ attributes: attributes.value, http: http.value });
}

type Rest = Pick<NormalizedRequest, "id" | "protocol" | "peer" | "body" | "contextExtensions">;

function readRest(attributes: Fields, http: Fields, headers: ReadonlyMap<string, string>): Result<Rest, RequestError> {
  const source = readFields(attributes, "source", "attributes");
  const peer = source.ok ? readPeer(source.value) : source;
  if (!peer.ok) {
    return peer;
  }
  const body = readBody(http, headers);
  if (!body.ok) {
    return body;
  }
  const extensions = readStringMap(attributes, "context_extensions", "attributes");
  if (!extensions.ok) {
    return extensions;
  }
  const streamId = readString(http, "id", "http");
  if (!streamId.ok) {
    return streamId;
  }
  const protocol = readString(http, "protocol", "http");
  if (!protocol.ok) {
    return protocol;
  }
  // Envoy's http.id is its stream id; x-request-id is what the rest of the mesh logs.
  const id = headers.get("x-request-id") ?? streamId.value ?? "";
  return ok({
    id,
    protocol: protocol.value ?? "",
    peer: peer.value,
    body: body.value,
    contextExtensions: extensions.value,
  });
}
