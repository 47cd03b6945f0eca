import { err, ok, type Result } from "../../result.ts";
import { parseParameterizedValue } from "./header-parameters.ts";

// The headers of one multipart/form-data part and the field name they give it (RFC 7578 §4.2).
// Every part must name itself in one spelling that every parser behind us reads the same way;
// a part we could not name is refused rather than skipped, since a skipped part is exactly
// where a second `model` would hide.
export interface PartHeaders {
  readonly name: string;
  readonly hasFilename: boolean;
  readonly headers: ReadonlyMap<string, string>; // lower-cased header name → value
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_LINE_TEXT = /^[\t\x20-\x7e\u0080-\u{10ffff}]*$/u;
// Identity encodings only: undici decodes `base64` (python-multipart's FormParser also
// quoted-printable), Starlette decodes neither, so the same bytes would be two values.
const IDENTITY_ENCODINGS: readonly string[] = ["7bit", "8bit", "binary"];

export function parsePartHeaders(block: string): Result<PartHeaders, string> {
  const headers = new Map<string, string>();
  for (const line of block === "" ? [] : block.split("\r\n")) {
    const header = splitHeaderLine(line);
    if (!header.ok) return header;
    const [name, value] = header.value;
    if (headers.has(name)) return err(`a part has two ${name} headers`);
    headers.set(name, value);
  }
  const encoding = headers.get("content-transfer-encoding");
  if (encoding !== undefined && !IDENTITY_ENCODINGS.includes(encoding.trim().toLowerCase())) {
    return err(`Content-Transfer-Encoding ${encoding} is decoded by some parsers and not by others`);
  }
  const disposition = headers.get("content-disposition");
  if (disposition === undefined) return err("a part has no Content-Disposition");
  const named = dispositionName(disposition);
  return named.ok ? ok({ ...named.value, headers }) : named;
}

// `Name: value`. The block holds no bare CR or LF (checked by the caller), so a line that
// starts with whitespace is an obsolete folded continuation, which parsers join or reject.
function splitHeaderLine(line: string): Result<readonly [string, string], string> {
  if (!HEADER_LINE_TEXT.test(line)) return err("a control character in a part header");
  const colon = line.indexOf(":");
  if (colon < 0) return err("a part header line has no colon");
  const name = line.slice(0, colon);
  if (!HEADER_NAME.test(name)) {
    return err(name.trim() === name ? `"${name}" is not a header name` : "a part header is folded or has whitespace before its colon");
  }
  return ok([name.toLowerCase(), line.slice(colon + 1)]);
}

function dispositionName(disposition: string): Result<{ name: string; hasFilename: boolean }, string> {
  const parsed = parseParameterizedValue(disposition);
  if (!parsed.ok) return err(`Content-Disposition: ${parsed.error}`);
  // Starlette reads `name` whatever the type is; undici refuses the part. Only form-data is read.
  if (parsed.value.value !== "form-data") return err(`Content-Disposition is ${parsed.value.value}, not form-data`);
  for (const key of parsed.value.parameters.keys()) {
    if (key !== "name" && key !== "filename" && key !== "filename*") {
      // `name*` (RFC 2231/5987) is decoded into `name` by python-multipart's email-based
      // parser and ignored by its older regex one and by undici.
      return err(`Content-Disposition parameter ${key} is not read the same way by every parser`);
    }
  }
  const name = parsed.value.parameters.get("name");
  if (name === undefined) return err("a part's Content-Disposition has no name");
  const problem = nameProblem(name);
  if (problem !== undefined) return err(`part name "${name}": ${problem}`);
  return ok({ name, hasFilename: parsed.value.parameters.has("filename") || parsed.value.parameters.has("filename*") });
}

// undici decodes %0A, %0D and %22 in names and Python does not; undici also drops a leading
// U+FEFF that Python keeps, so names are printable ASCII (API field names are); an RFC 2047
// encoded word (`=?utf-8?q?…?=`) is decoded by some mail-derived parsers; `_charset_` (HTML)
// changes how other fields decode; surrounding whitespace is trimmed by some.
function nameProblem(name: string): string | undefined {
  if (name === "") return "empty";
  if (!/^[\x20-\x7e]+$/.test(name)) return "not printable ASCII";
  if (name.includes("%")) return "percent escapes are decoded by some parsers and not by others";
  if (name.includes("=?")) return "looks like an RFC 2047 encoded word";
  if (name.trim() !== name) return "leading or trailing whitespace";
  if (name.toLowerCase() === "_charset_") return "a _charset_ field changes how other fields are decoded";
  return undefined;
}
