import type { Result } from "../result.ts";
import { ok } from "../result.ts";
import { isPseudoToken, isToken } from "./http-token.ts";
import type { RequestError } from "./request-error.ts";
import { requestError } from "./request-error.ts";
import type { Fields } from "./shape.ts";
import { isFields, readArray, readBytes, readFields, readString, readStringMapNames } from "./shape.ts";
import { decodeUtf8, utf8ByteLength } from "./utf8.ts";

// Bounds on what one CheckRequest may carry. Envoy's own default is 60 KiB of headers and 100
// headers per request; ours sit above that so they only ever catch non-Envoy callers.
export const MAX_HEADER_COUNT = 200;
export const MAX_HEADER_BYTES = 64 * 1024;

export interface RequestHeaders {
  readonly headers: ReadonlyMap<string, string>; // lower-case names, no pseudo-headers
  readonly pseudo: ReadonlyMap<string, string>; // ":authority", ":path", ":method", ...
}

type HeaderLine = readonly [string, string];

const FORBIDDEN_VALUE = /[\u0000\r\n]/;

// Reads `headers` (Envoy's merged map) or, when that is empty, `header_map` (encode_raw_headers).
export function readRequestHeaders(http: Fields): Result<RequestHeaders, RequestError> {
  const merged = readStringMapNames(http, "headers", "http");
  if (!merged.ok) {
    return merged;
  }
  const raw = readRawHeaderLines(http);
  if (!raw.ok) {
    return raw;
  }
  const { names, map } = merged.value;
  if (names.length > 0 && raw.value.length > 0) {
    return requestError("request_malformed", "http.headers and http.header_map are both set");
  }
  // Envoy's merged map is read in place: no [name, value] pair per header, and no closure.
  return names.length > 0 ? buildHeaders({ names, map }) : buildHeaders({ lines: raw.value });
}

// Either encoding of the headers, read by index.
type HeaderSource =
  { readonly names: readonly string[]; readonly map: Readonly<Record<string, string>> } | { readonly lines: readonly HeaderLine[] };

function headerCount(source: HeaderSource): number {
  return "lines" in source ? source.lines.length : source.names.length;
}

function headerName(source: HeaderSource, i: number): string {
  return "lines" in source ? (source.lines[i] as HeaderLine)[0] : (source.names[i] as string);
}

function headerValue(source: HeaderSource, i: number): string {
  return "lines" in source ? (source.lines[i] as HeaderLine)[1] : (source.map[source.names[i] as string] as string);
}

const NO_LINES: readonly HeaderLine[] = Object.freeze([]);

function readRawHeaderLines(http: Fields): Result<readonly HeaderLine[], RequestError> {
  const map = readFields(http, "header_map", "http");
  if (!map.ok || map.value === undefined) {
    return map.ok ? ok(NO_LINES) : map;
  }
  const list = readArray(map.value, "headers", "http.header_map");
  if (!list.ok) {
    return list;
  }
  const items = list.value ?? [];
  // Checked before decoding so a huge list costs nothing.
  if (items.length > MAX_HEADER_COUNT) {
    return requestError("header_invalid", `more than ${MAX_HEADER_COUNT} headers`);
  }
  const lines: HeaderLine[] = [];
  for (const [index, item] of items.entries()) {
    const line = readRawHeaderLine(item, `http.header_map.headers[${index}]`);
    if (!line.ok) {
      return line;
    }
    lines.push(line.value);
  }
  return ok(lines);
}

function readRawHeaderLine(item: unknown, where: string): Result<HeaderLine, RequestError> {
  if (!isFields(item)) {
    return requestError("request_malformed", `${where} must be a message`);
  }
  const key = readString(item, "key", where);
  if (!key.ok) {
    return key;
  }
  const name = key.value ?? "";
  const bytes = readBytes(item, "raw_value", where);
  if (!bytes.ok) {
    return bytes;
  }
  if (bytes.value === undefined) {
    const value = readString(item, "value", where);
    return value.ok ? ok([name, value.value ?? ""]) : value;
  }
  const text = decodeUtf8(bytes.value);
  if (!text.ok) {
    return requestError("header_invalid", `header ${JSON.stringify(name)}: value ${text.error}`);
  }
  return ok([name, text.value]);
}

function buildHeaders(source: HeaderSource): Result<RequestHeaders, RequestError> {
  const count = headerCount(source);
  if (count > MAX_HEADER_COUNT) {
    return requestError("header_invalid", `more than ${MAX_HEADER_COUNT} headers`);
  }
  const headers = new Map<string, string>();
  const pseudo = new Map<string, string>();
  let bytes = 0;
  for (let i = 0; i < count; i += 1) {
    const name = lowerCase(headerName(source, i));
    const value = headerValue(source, i);
    const problem = headerProblem(name, value);
    if (problem !== undefined) {
      return requestError("header_invalid", problem);
    }
    bytes += name.length + utf8ByteLength(value); // a valid name is a token: ASCII, a byte a character
    if (bytes > MAX_HEADER_BYTES) {
      return requestError("header_invalid", `headers larger than ${MAX_HEADER_BYTES} bytes`);
    }
    const added = name.startsWith(":") ? addPseudo(pseudo, name, value) : addHeader(headers, name, value);
    if (added !== undefined) {
      return requestError("header_invalid", added);
    }
  }
  return ok({ headers, pseudo });
}

// What toLowerCase could change: ASCII capitals and anything beyond ASCII.
const MAY_LOWER = /[A-Z\u0080-\uffff]/;

// Envoy sends names in lower case already; toLowerCase would copy each one anyway.
function lowerCase(name: string): string {
  return MAY_LOWER.test(name) ? name.toLowerCase() : name;
}

function headerProblem(name: string, value: string): string | undefined {
  if (!(name.startsWith(":") ? isPseudoToken(name) : isToken(name))) {
    return `invalid header name ${JSON.stringify(name)}`;
  }
  if (FORBIDDEN_VALUE.test(value)) {
    return `header ${name} contains NUL, CR or LF`;
  }
  return undefined;
}

// Repeated lines are joined with "," exactly as Envoy merges them into `headers`, so both
// encodings give one string; a consumer that cannot parse "a,b" then denies instead of
// silently choosing one of the values (security.md P5).
function addHeader(headers: Map<string, string>, name: string, value: string): undefined {
  const previous = headers.get(name);
  headers.set(name, previous === undefined ? value : `${previous},${value}`);
  return undefined;
}

function addPseudo(pseudo: Map<string, string>, name: string, value: string): string | undefined {
  if (pseudo.has(name)) {
    return `pseudo-header ${name} repeated`;
  }
  pseudo.set(name, value);
  return undefined;
}
