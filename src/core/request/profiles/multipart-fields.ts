import { err, ok, type Result } from "../../result.ts";
import { decodeUtf8 } from "../utf8.ts";
import { parseParameterizedValue } from "./header-parameters.ts";
import { parsePartHeaders, type PartHeaders } from "./multipart-part-headers.ts";

// The text values of chosen fields of a multipart/form-data body (RFC 7578), as OpenAI-style
// servers read `model` from audio and image uploads. The server behind us reads the same body
// with its own parser (Starlette on python-multipart for vLLM, SGLang, KServe and Triton's
// front end; undici for Node; mime/multipart for Go), so the body is accepted only in a shape those parsers split and
// name identically: whole, every part delimited, every part named in a spelling they all read
// the same way, nothing before the first boundary or after the last. Anything else is refused.
// File parts are skipped by their boundaries, never decoded.

const CRLF: readonly number[] = [13, 10];
const BLANK_LINE: readonly number[] = [13, 10, 13, 10];
const MAX_PART_HEADER_BYTES = 8 * 1024;
// RFC 2046: 1–70 characters from this set, not ending in a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

export function multipartBoundary(contentType: string): Result<string, string> {
  const parsed = parseParameterizedValue(contentType);
  if (!parsed.ok) return err(`content-type: ${parsed.error}`);
  if (parsed.value.value !== "multipart/form-data") return err("content-type is not multipart/form-data");
  for (const [name, value] of parsed.value.parameters) {
    // Starlette decodes every field with the request's charset (utf-7 would turn `+AG0-` into `m`).
    if (name === "charset" && value.toLowerCase() !== "utf-8") return err(`content-type charset ${value} is not utf-8`);
    if (name !== "charset" && name !== "boundary") return err(`content-type parameter ${name} is not expected`);
  }
  const boundary = parsed.value.parameters.get("boundary");
  if (boundary === undefined) return err("content-type has no boundary");
  return BOUNDARY.test(boundary) ? ok(boundary) : err("the boundary is not 1–70 RFC 2046 characters");
}

// Each wanted field name → every value it was given, in order.
export function multipartFields(
  body: Uint8Array,
  boundary: string,
  wanted: readonly string[],
): Result<ReadonlyMap<string, readonly string[]>, string> {
  const boundaryBytes = new TextEncoder().encode(boundary);
  const delimiter = new Uint8Array([...CRLF, 45, 45, ...boundaryBytes]); // CRLF "--" boundary
  const opening = delimiter.subarray(2);
  if (indexOf(body, opening, 0) !== 0) return err("the body does not start with the boundary (no preamble is accepted)");
  const fields = new Map<string, string[]>();
  let delimiters = 1;
  let at = opening.length;
  while (!(body[at] === 45 && body[at + 1] === 45)) {
    if (!startsWith(body, CRLF, at)) return err("a boundary is followed by something other than CRLF or --");
    const next = indexOf(body, delimiter, at);
    if (next < 0) return err("the closing boundary is missing");
    const headersEnd = indexOf(body, BLANK_LINE, at);
    // The blank line must end before the delimiter's own CRLF, or the parts run into each other.
    if (headersEnd < 0 || headersEnd + BLANK_LINE.length > next) return err("a part's headers do not end before the next boundary");
    if (headersEnd - at > MAX_PART_HEADER_BYTES) return err(`a part's headers are longer than ${MAX_PART_HEADER_BYTES} bytes`);
    const part = readPart(body.subarray(at + 2, Math.max(at + 2, headersEnd)));
    if (!part.ok) return part;
    if (wanted.includes(part.value.name)) {
      const value = fieldValue(part.value, body.subarray(headersEnd + BLANK_LINE.length, next));
      if (!value.ok) return err(`field ${part.value.name}: ${value.error}`);
      fields.set(part.value.name, [...(fields.get(part.value.name) ?? []), value.value]);
    }
    at = next + delimiter.length;
    delimiters++;
  }
  const problem = closingProblem(body, at + 2, boundaryBytes, delimiters);
  return problem === undefined ? ok(fields) : err(problem);
}

// After the closing delimiter at most a CRLF: Python ignores an epilogue and undici refuses it.
// undici cuts a part at the boundary text wherever it occurs, delimiter or not, so the text may
// occur only in the delimiters we read.
function closingProblem(body: Uint8Array, epilogueStart: number, boundaryBytes: Uint8Array, delimiters: number): string | undefined {
  const epilogue = body.subarray(epilogueStart);
  if (epilogue.length > 0 && !(epilogue.length === 2 && startsWith(epilogue, CRLF, 0))) return "bytes after the closing boundary";
  return occurrences(body, boundaryBytes) === delimiters ? undefined : "the boundary text occurs inside a part";
}

function readPart(headerBytes: Uint8Array): Result<PartHeaders, string> {
  const block = decodeUtf8(headerBytes);
  return block.ok ? parsePartHeaders(block.value) : err(`part headers: ${block.error}`);
}

// A field we read must be plain text to every parser: a filename makes it a file upload, an
// ASCII-incompatible charset (utf-7, utf-16) would be decoded differently by a parser that
// honours it, and any other header is unexplained. OkHttp sends Content-Length, Apache
// HttpClient `text/plain; charset=ISO-8859-1`; both are read when they cannot change the text.
function fieldValue(part: PartHeaders, bytes: Uint8Array): Result<string, string> {
  if (part.hasFilename) return err("has a filename, so servers read it as a file");
  const text = decodeUtf8(bytes);
  if (!text.ok) return text;
  for (const [name, value] of part.headers) {
    if (name === "content-type" && !isPlainText(value, text.value))
      return err(`Content-Type ${value.trim()} may decode the value differently`);
    if (name === "content-length" && value.trim() !== String(bytes.length))
      return err(`Content-Length ${value.trim()} is not the value's ${bytes.length} bytes`);
    if (!KNOWN_FIELD_HEADERS.includes(name)) return err(`unexpected header ${name}`);
  }
  return text;
}

const KNOWN_FIELD_HEADERS: readonly string[] = ["content-disposition", "content-type", "content-transfer-encoding", "content-length"];

function isPlainText(contentType: string, value: string): boolean {
  const parsed = parseParameterizedValue(contentType);
  if (!parsed.ok || parsed.value.value !== "text/plain") return false;
  if ([...parsed.value.parameters.keys()].some((name) => name !== "charset")) return false;
  const charset = (parsed.value.parameters.get("charset") ?? "utf-8").toLowerCase();
  return charset === "utf-8" || ((charset === "us-ascii" || charset === "iso-8859-1") && /^[\x00-\x7f]*$/.test(value));
}

function startsWith(haystack: Uint8Array, prefix: ArrayLike<number>, at: number): boolean {
  for (let i = 0; i < prefix.length; i++) if (haystack[at + i] !== prefix[i]) return false;
  return true;
}

function indexOf(haystack: Uint8Array, needle: ArrayLike<number>, from: number): number {
  const first = needle[0] ?? 0;
  for (let i = haystack.indexOf(first, from); i >= 0 && i + needle.length <= haystack.length; i = haystack.indexOf(first, i + 1)) {
    if (startsWith(haystack, needle, i)) return i;
  }
  return -1;
}

// Overlapping occurrences count: a boundary like "aa" in "--aaa" is ambiguous too.
function occurrences(haystack: Uint8Array, needle: Uint8Array): number {
  let count = 0;
  for (let i = indexOf(haystack, needle, 0); i >= 0; i = indexOf(haystack, needle, i + 1)) count++;
  return count;
}
