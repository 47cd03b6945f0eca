import { err, ok, type Result } from "../../result.ts";
import { decodeUtf8 } from "../utf8.ts";

// The text values of chosen fields of a multipart/form-data body (RFC 7578), as OpenAI-style
// servers read `model` from audio and image uploads. Strict: the body must be whole, every
// part must be well delimited and the closing delimiter present, so nothing can hide in a part
// we skipped; file parts are skipped by their boundaries, never decoded.

const CRLF = [13, 10];
const MAX_PART_HEADER_BYTES = 8 * 1024;

export function multipartBoundary(contentType: string): string | undefined {
  const [type, ...params] = contentType.split(";");
  if (type?.trim().toLowerCase() !== "multipart/form-data") return undefined;
  for (const param of params) {
    const eq = param.indexOf("=");
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== "boundary") continue;
    const raw = param.slice(eq + 1).trim();
    const boundary = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw;
    // RFC 2046: 1–70 characters from a restricted set.
    return /^[0-9A-Za-z'()+_,\-./:=? ]{1,70}$/.test(boundary) && !boundary.endsWith(" ") ? boundary : undefined;
  }
  return undefined;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  for (let i = haystack.indexOf(first ?? 0, from); i >= 0 && i + needle.length <= haystack.length; i = haystack.indexOf(first ?? 0, i + 1)) {
    let match = true;
    for (let j = 1; j < needle.length && match; j++) match = haystack[i + j] === needle[j];
    if (match) return i;
  }
  return -1;
}

// Each field name → every value it was given, in order.
export function multipartFields(body: Uint8Array, boundary: string, wanted: readonly string[]): Result<ReadonlyMap<string, readonly string[]>, string> {
  const delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
  // The first delimiter may open the body without the leading CRLF.
  const opening = delimiter.subarray(2);
  if (indexOf(body, opening, 0) !== 0) return err("the body does not start with the boundary");
  const fields = new Map<string, string[]>();
  let at = opening.length;
  for (;;) {
    if (body[at] === 45 && body[at + 1] === 45) return ok(fields); // "--": the closing delimiter
    if (body[at] !== CRLF[0] || body[at + 1] !== CRLF[1]) return err("a boundary is not followed by CRLF");
    const headersEnd = indexOf(body, new Uint8Array([13, 10, 13, 10]), at);
    if (headersEnd < 0 || headersEnd - at > MAX_PART_HEADER_BYTES) return err("a part's headers do not end");
    const next = indexOf(body, delimiter, headersEnd);
    if (next < 0) return err("the closing boundary is missing");
    const name = partName(body.subarray(at + 2, headersEnd));
    if (!name.ok) return name;
    if (name.value !== undefined && wanted.includes(name.value)) {
      const value = decodeUtf8(body.subarray(headersEnd + 4, next));
      if (!value.ok) return err(`field ${name.value}: ${value.error}`);
      fields.set(name.value, [...(fields.get(name.value) ?? []), value.value]);
    }
    at = next + delimiter.length;
  }
}

// The `name` of a part's Content-Disposition: form-data header (undefined for a part without one).
function partName(headerBytes: Uint8Array): Result<string | undefined, string> {
  const headers = decodeUtf8(headerBytes);
  if (!headers.ok) return err(`part headers: ${headers.error}`);
  const dispositions = headers.value.split("\r\n").filter((line) => line.toLowerCase().startsWith("content-disposition:"));
  if (dispositions.length > 1) return err("a part has two Content-Disposition headers");
  const line = dispositions[0];
  if (line === undefined) return ok(undefined);
  const match = /;\s*name="([^"]*)"/i.exec(line);
  return ok(match?.[1]);
}
