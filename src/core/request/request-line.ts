import type { Result } from "../result.ts";
import { ok } from "../result.ts";
import type { CanonicalPath } from "./canonical-path.ts";
import { canonicalizePath } from "./canonical-path.ts";
import { isUpperCaseMethod } from "./http-token.ts";
import type { RequestError } from "./request-error.ts";
import { requestError } from "./request-error.ts";
import type { RequestHeaders } from "./request-headers.ts";
import { normalizeHost } from "./request-host.ts";
import type { Fields } from "./shape.ts";
import { readString } from "./shape.ts";

export interface RequestLine {
  readonly method: string;
  readonly rawPath: string;
  readonly target: CanonicalPath;
  readonly host: string;
  readonly scheme: string;
}

// Envoy states method, path, host and scheme twice: as HttpRequest fields and as pseudo-headers.
// They agree for anything Envoy sends; if they differ the caller is not Envoy or something in
// between rewrote one copy, and matching on either would be a guess.
export function readRequestLine(http: Fields, headers: RequestHeaders): Result<RequestLine, RequestError> {
  const method = agreed(http, "method", headers.pseudo.get(":method"));
  if (!method.ok) {
    return method;
  }
  if (method.value === "" || !isUpperCaseMethod(method.value)) {
    return requestError("request_malformed", `method ${JSON.stringify(method.value)} is not an upper-case token`);
  }
  const rawPath = agreed(http, "path", headers.pseudo.get(":path"));
  if (!rawPath.ok) {
    return rawPath;
  }
  if (rawPath.value === "") {
    return requestError("request_malformed", "the request has no path");
  }
  const target = canonicalizePath(rawPath.value);
  if (!target.ok) {
    return target;
  }
  const scheme = agreed(http, "scheme", headers.pseudo.get(":scheme"));
  if (!scheme.ok) {
    return scheme;
  }
  const host = readHost(http, headers);
  if (!host.ok) {
    return host;
  }
  return ok({ method: method.value, rawPath: rawPath.value, target: target.value, host: host.value, scheme: scheme.value });
}

function agreed(http: Fields, field: string, pseudo: string | undefined): Result<string, RequestError> {
  const own = readString(http, field, "http");
  if (!own.ok) {
    return own;
  }
  const first = own.value ?? "";
  const second = pseudo ?? "";
  if (first !== "" && second !== "" && first !== second) {
    return requestError("request_malformed", `http.${field} and :${field} disagree`);
  }
  return ok(first === "" ? second : first);
}

// :authority (HTTP/2) or Host (HTTP/1.1, copied into :authority by Envoy) and http.host; a
// request naming two different hosts is a smuggling attempt, not a choice to make.
function readHost(http: Fields, headers: RequestHeaders): Result<string, RequestError> {
  const field = readString(http, "host", "http");
  if (!field.ok) {
    return field;
  }
  let host: string | undefined;
  let normalized: string | undefined; // the spelling `host` came from: the same text needs no second look
  for (let i = 0; i < 3; i++) {
    const spelling = i === 0 ? field.value : i === 1 ? headers.pseudo.get(":authority") : headers.headers.get("host");
    if (spelling === undefined || spelling === "" || spelling === normalized) {
      continue;
    }
    const normal = normalizeHost(spelling);
    if (!normal.ok) {
      return normal;
    }
    if (host !== undefined && host !== normal.value) {
      return requestError("host_invalid", "the request names more than one host");
    }
    host = normal.value;
    normalized = spelling;
  }
  return host === undefined ? requestError("host_invalid", "the request names no host") : ok(host);
}
