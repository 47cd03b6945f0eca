import type { Result } from "../result.ts";
import { err, ok } from "../result.ts";
import { percentDecode } from "./percent-decode.ts";
import type { QueryMap } from "./query-string.ts";
import { parseQuery } from "./query-string.ts";
import type { RequestError } from "./request-error.ts";
import { requestError } from "./request-error.ts";

// Envoy's default header limit is 60 KiB; a :path longer than 64 KiB cannot be legitimate and
// bounding it keeps every later scan cheap.
export const MAX_RAW_PATH_LENGTH = 64 * 1024;

export interface CanonicalPath {
  readonly path: string;
  readonly query: QueryMap;
}

// C0 controls, DEL and C1 controls, raw or decoded. Raw `\` is refused too: Windows-style and
// some Java servers treat it as a separator, others as a literal, so no single reading is safe.
const RAW_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\\]/;
const DECODED_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f]/;
// Plain segments of unreserved and sub-delim characters (no `%`, `;`, `?`, `#`), none empty,
// `.` or `..`, no trailing slash: such a path is its own canonical form, and most requests'
// paths are such, so they skip the split, decode and join below.
const PLAIN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[-A-Za-z0-9._~!$&'()*+,=:@]+)+$/;

// Escapes whose decoded byte would mean something structural to a component that parses the
// decoded path again. We reject rather than unescape: unescaping `%2F` would change the segment
// structure we authorise (Envoy's `path_with_escaped_slashes_action: REJECT_REQUEST`), and
// keeping it literal would let a server that does decode (TorchServe/Netty) see a different
// path than the one we matched.
const STRUCTURAL_ESCAPE = /%(2f|5c|00|25|3b|3f|23)/i;
const ESCAPE_MEANING: Readonly<Record<string, string>> = {
  "2f": "an encoded slash",
  "5c": "an encoded backslash",
  "00": "an encoded NUL",
  // Decoding once turns `%252F` into the text `%2F`; a server that decodes again would see `/`.
  "25": "an encoded percent sign (double encoding)",
  // Decoded, these would be read as a matrix parameter, a query or a fragment on re-parse.
  "3b": "an encoded semicolon",
  "3f": "an encoded question mark",
  "23": "an encoded number sign",
};

// The single canonicalisation every matcher uses (security.md P3/T13):
// - query split at the first `?`, `#fragment` dropped (clients never send one; Envoy may);
// - segments split on raw `/`, each stripped of `;params` (Envoy/Istio match without them),
//   then percent-decoded exactly once as UTF-8;
// - empty and `.` segments dropped (`//` merges), `..` pops but never above the root;
// - no trailing slash except for `/` itself (servers and profiles treat `/a/` like `/a`);
// - case is preserved: paths are case-sensitive on every server we front.
export function canonicalizePath(rawPath: string): Result<CanonicalPath, RequestError> {
  if (rawPath.length > MAX_RAW_PATH_LENGTH) {
    return requestError("path_invalid", `path longer than ${MAX_RAW_PATH_LENGTH} characters`);
  }
  if (!rawPath.startsWith("/")) {
    return requestError("path_invalid", "path must be in origin form, starting with /");
  }
  if (!rawPath.isWellFormed()) {
    return requestError("path_invalid", "path is not well-formed Unicode");
  }
  if (PLAIN_PATH.test(rawPath)) {
    return ok(Object.freeze({ path: rawPath, query: new Map() }));
  }
  const hash = rawPath.indexOf("#");
  const target = hash < 0 ? rawPath : rawPath.slice(0, hash);
  const question = target.indexOf("?");
  const segments = decodeSegments(question < 0 ? target : target.slice(0, question));
  if (!segments.ok) {
    return requestError("path_invalid", segments.error);
  }
  const query = parseQuery(question < 0 ? "" : target.slice(question + 1));
  if (!query.ok) {
    return requestError("path_invalid", query.error);
  }
  return ok(Object.freeze({ path: resolveDotSegments(segments.value), query: query.value }));
}

function decodeSegments(rawPath: string): Result<readonly string[], string> {
  if (RAW_FORBIDDEN.test(rawPath)) {
    return err("path contains a control character or a backslash");
  }
  const escape = STRUCTURAL_ESCAPE.exec(rawPath);
  if (escape !== null) {
    const code = (escape[1] ?? "").toLowerCase();
    return err(`path contains ${ESCAPE_MEANING[code] ?? "a forbidden escape"}`);
  }
  const decoded: string[] = [];
  for (const raw of rawPath.split("/")) {
    const semicolon = raw.indexOf(";");
    const segment = percentDecode(semicolon < 0 ? raw : raw.slice(0, semicolon), false);
    if (!segment.ok) {
      return segment;
    }
    if (DECODED_FORBIDDEN.test(segment.value)) {
      return err("path contains an encoded control character");
    }
    decoded.push(segment.value);
  }
  return ok(decoded);
}

function resolveDotSegments(segments: readonly string[]): string {
  const kept: string[] = [];
  for (const segment of segments) {
    if (segment === "" || segment === ".") {
      continue;
    }
    if (segment === "..") {
      kept.pop();
      continue;
    }
    kept.push(segment);
  }
  return `/${kept.join("/")}`;
}
