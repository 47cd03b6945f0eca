// Hand-written multipart/form-data bodies, one per spelling of a part's name (and of the framing
// around it), with what the openai profile must decide. Used by the unit table and, through
// independent parsers, by the differential test. The client rows (OkHttp, Apache HttpClient,
// .NET, curl) stay written out: the generator (multipart-generated.ts) yields bodies without an
// expected outcome, and these rows assert that what those clients send is accepted. curl's, and
// Python requests', real output is checked in multipart-real-clients.test.ts.
import type { NormalizedRequest } from "../../../../src/core/request/normalized-request.ts";
import { request } from "../builders.ts";

export const BOUNDARY = "Bnd7";
export const CONTENT_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

export type Outcome = readonly ["predict" | "stream", string] | "body_malformed" | "model_ambiguous";

export interface Spelling {
  readonly name: string;
  readonly contentType: string;
  readonly body: string; // see bodyBytes
  readonly expected: Outcome;
}

const CD = "Content-Disposition: form-data";
const FILE = `${CD}; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\nRIFF\x00\x01`;

// `--B` CRLF part ( CRLF `--B` CRLF part )* CRLF `--B--` CRLF: what every client sends.
export function formBody(parts: readonly string[]): string {
  return `--${BOUNDARY}\r\n${parts.join(`\r\n--${BOUNDARY}\r\n`)}\r\n--${BOUNDARY}--\r\n`;
}

function spelled(name: string, parts: readonly string[], expected: Outcome, contentType = CONTENT_TYPE): Spelling {
  return { name, contentType, body: formBody(parts), expected };
}

const model = (headers: string, value = "whisper-1"): string => `${headers}\r\n\r\n${value}`;
const WHISPER: Outcome = ["predict", "whisper-1"];

export const SPELLINGS: readonly Spelling[] = [
  // Read, and read as every parser reads them.
  spelled("quoted name", [model(`${CD}; name="model"`), FILE], WHISPER),
  spelled("token name (name=model)", [model(`${CD}; name=model`), FILE], WHISPER),
  spelled("lower-case header name", [model(`content-disposition: form-data; name="model"`)], WHISPER),
  spelled("upper-case header name", [model(`CONTENT-DISPOSITION: form-data; name="model"`)], WHISPER),
  spelled("upper-case parameter name", [model(`${CD}; NAME="model"`)], WHISPER),
  spelled("mixed-case disposition type", [model(`Content-Disposition: Form-Data; name="model"`)], WHISPER),
  spelled("no space after ;", [model(`${CD};name="model"`)], WHISPER),
  spelled("whitespace around = and ;", [model(`Content-Disposition: form-data ; name = "model"`)], WHISPER),
  spelled("tab after the colon", [model(`Content-Disposition:\tform-data; name="model"`)], WHISPER),
  spelled("no space after the colon", [model(`Content-Disposition:form-data; name="model"`)], WHISPER),
  spelled("text/plain; charset=utf-8 on the field", [model(`${CD}; name="model"\r\nContent-Type: text/plain; charset=UTF-8`)], WHISPER),
  spelled("OkHttp: Content-Length on the field", [model(`${CD}; name="model"\r\nContent-Length: 9`)], WHISPER),
  spelled(
    "Apache HttpClient: ISO-8859-1 text and 8bit",
    [model(`${CD}; name="model"\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit`)],
    WHISPER,
  ),
  spelled(
    ".NET: unquoted name, utf-8 text, quoted boundary",
    [model(`Content-Type: text/plain; charset=utf-8\r\n${CD}; name=model`)],
    WHISPER,
    `multipart/form-data; boundary="${BOUNDARY}"`,
  ),
  {
    name: "curl: a boundary of dashes and hex",
    contentType: "multipart/form-data; boundary=------------------------d74496d66958873e",
    body: `--------------------------d74496d66958873e\r\n${model(`${CD}; name="model"`)}\r\n--------------------------d74496d66958873e\r\n${FILE}\r\n--------------------------d74496d66958873e--\r\n`,
    expected: WHISPER,
  },
  spelled("Content-Transfer-Encoding: 8bit on the field", [model(`${CD}; name="model"\r\nContent-Transfer-Encoding: 8bit`)], WHISPER),
  spelled(
    "a file part with filename*",
    [`${CD}; name="file"; filename="a.wav"; filename*=UTF-8''a.wav\r\n\r\nRIFF`, model(`${CD}; name="model"`)],
    WHISPER,
  ),
  spelled("quoted boundary", [model(`${CD}; name="model"`)], WHISPER, `multipart/form-data; boundary="${BOUNDARY}"`),
  spelled(
    "charset=utf-8 on the request",
    [model(`${CD}; name="model"`)],
    WHISPER,
    `multipart/form-data; charset=utf-8; boundary=${BOUNDARY}`,
  ),
  spelled("stream as a quoted field", [model(`${CD}; name="model"`), model(`${CD}; name="stream"`, "true")], ["stream", "whisper-1"]),
  spelled("stream spelled as a token", [model(`${CD}; name="model"`), model(`${CD}; name=stream`, "true")], ["stream", "whisper-1"]),
  spelled("a name in single quotes is another name", [model(`${CD}; name='model'`)], ["predict", "default-model"]),
  spelled("a name of another case is another field", [model(`${CD}; name="Model"`)], ["predict", "default-model"]),
  // Refused: a second model in another spelling.
  spelled(
    "a second model spelled as a token",
    [model(`${CD}; name="model"`), FILE, model(`${CD}; name=model`, "secret")],
    "model_ambiguous",
  ),
  spelled(
    "a second model with an upper-case parameter",
    [model(`${CD}; name="model"`), model(`${CD}; NAME="model"`, "secret")],
    "model_ambiguous",
  ),
  spelled("the same model twice", [model(`${CD}; name="model"`), model(`${CD}; name="model"`)], "model_ambiguous"),
  // Refused: names some parser reads differently, or not at all.
  spelled("name*=utf-8''model (RFC 5987)", [model(`${CD}; name*=utf-8''model`)], "body_malformed"),
  spelled("name and name*", [model(`${CD}; name="other"; name*=utf-8''model`)], "body_malformed"),
  spelled("name*0 continuation (RFC 2231)", [model(`${CD}; name*0="mo"; name*1="del"`)], "body_malformed"),
  spelled("duplicate name parameter", [model(`${CD}; name="other"; name="model"`)], "body_malformed"),
  spelled("duplicate name parameter in two cases", [model(`${CD}; name="other"; NAME="model"`)], "body_malformed"),
  spelled("two Content-Disposition headers", [model(`${CD}; name="other"\r\n${CD}; name="model"`)], "body_malformed"),
  spelled(
    "two Content-Disposition headers in two cases",
    [model(`${CD}; name="other"\r\ncontent-disposition: form-data; name="model"`)],
    "body_malformed",
  ),
  spelled("folded Content-Disposition", [model(`${CD};\r\n name="model"`)], "body_malformed"),
  spelled("bare LF between part headers", [model(`${CD}; name="other"\nContent-Disposition: form-data; name="model"`)], "body_malformed"),
  spelled("bare CR in a part header", [model(`${CD}; name="other"\rContent-Type: text/plain`)], "body_malformed"),
  spelled("a filename but no name", [model(`${CD}; filename="model"`)], "body_malformed"),
  spelled("only name* and filename", [model(`${CD}; name*=UTF-8''model; filename="m"`)], "body_malformed"),
  spelled("no Content-Disposition", [model("Content-Type: text/plain")], "body_malformed"),
  spelled("no part headers at all", [`\r\nwhisper-1`, model(`${CD}; name="model"`)], "body_malformed"),
  spelled("whitespace before the colon", [model(`Content-Disposition : form-data; name="model"`)], "body_malformed"),
  spelled("underscore in the header name", [model(`Content_Disposition: form-data; name="model"`)], "body_malformed"),
  spelled("a model field with a filename", [model(`${CD}; name="model"; filename="m.txt"`)], "body_malformed"),
  spelled("a model field with an empty filename", [model(`${CD}; name="model"; filename=""`)], "body_malformed"),
  spelled("a model field with filename*", [model(`${CD}; name="model"; filename*=utf-8''m.txt`)], "body_malformed"),
  spelled("disposition type attachment", [model(`Content-Disposition: attachment; name="model"`)], "body_malformed"),
  spelled("no disposition type", [model(`Content-Disposition: name="model"`)], "body_malformed"),
  spelled("no ; after the disposition type", [model(`Content-Disposition: form-data name="model"`)], "body_malformed"),
  spelled("backslash escape in the name", [model(`${CD}; name="mo\\del"`)], "body_malformed"),
  spelled("escaped quote in a filename hiding a name", [`${CD}; filename="a\\"; name="model"\r\n\r\nx`], "body_malformed"),
  spelled("percent escape in the name", [model(`${CD}; name="mod%65l"`)], "body_malformed"),
  spelled("RFC 2047 encoded word as the name", [model(`${CD}; name="=?utf-8?q?model?="`)], "body_malformed"),
  spelled("a byte order mark before the name (undici drops it)", [model(`${CD}; name="\ufeffmodel"`)], "body_malformed"),
  spelled("a non-ASCII name", [model(`${CD}; name="mod\u0115l"`)], "body_malformed"),
  spelled(
    "a ; inside a quoted filename",
    [`${CD}; name="file"; filename="x; name=model"\r\n\r\nx`, model(`${CD}; name="model"`)],
    "body_malformed",
  ),
  spelled("a byte order mark before the part headers", [model(`\ufeff${CD}; name="model"`)], "body_malformed"),
  spelled("whitespace inside the quoted name", [model(`${CD}; name=" model"`)], "body_malformed"),
  spelled("an unknown parameter", [model(`${CD}; name="model"; size=3`)], "body_malformed"),
  spelled("a trailing ;", [model(`${CD}; name="model";`)], "body_malformed"),
  spelled("junk after the quoted name", [model(`${CD}; name="model"x`)], "body_malformed"),
  spelled("unterminated quoted name", [model(`${CD}; name="model`)], "body_malformed"),
  spelled("a _charset_ field", [model(`${CD}; name="_charset_"`, "utf-8"), model(`${CD}; name="model"`)], "body_malformed"),
  spelled(
    "Content-Transfer-Encoding: base64 on the field",
    [model(`${CD}; name="model"\r\nContent-Transfer-Encoding: base64`, "c2VjcmV0")],
    "body_malformed",
  ),
  spelled(
    "Content-Transfer-Encoding: quoted-printable",
    [model(`${CD}; name="model"\r\nContent-Transfer-Encoding: quoted-printable`)],
    "body_malformed",
  ),
  spelled("utf-7 Content-Type on the field", [model(`${CD}; name="model"\r\nContent-Type: text/plain; charset=utf-7`)], "body_malformed"),
  spelled("a wrong Content-Length on the field", [model(`${CD}; name="model"\r\nContent-Length: 4`)], "body_malformed"),
  spelled(
    "ISO-8859-1 text that is not ASCII",
    [model(`${CD}; name="model"\r\nContent-Type: text/plain; charset=ISO-8859-1`, "whisper-\u20ac")],
    "body_malformed",
  ),
  spelled(
    "a non-text Content-Type on the field",
    [model(`${CD}; name="model"\r\nContent-Type: application/octet-stream`)],
    "body_malformed",
  ),
  spelled("another header on the field", [model(`${CD}; name="model"\r\nX-Note: hi`)], "body_malformed"),
  spelled("non-UTF-8 bytes in the model", [model(`${CD}; name="model"`, "whisper-\xff")], "body_malformed"),
  // Refused: framing that parsers split differently.
  spelled(
    "utf-7 charset on the request",
    [model(`${CD}; name="model"`, "+AHM-ecret")],
    "body_malformed",
    `multipart/form-data; boundary=${BOUNDARY}; charset=utf-7`,
  ),
  spelled(
    "two boundary parameters",
    [model(`${CD}; name="model"`)],
    "body_malformed",
    `multipart/form-data; boundary=${BOUNDARY}; boundary=other`,
  ),
  spelled(
    "an unknown content-type parameter",
    [model(`${CD}; name="model"`)],
    "body_malformed",
    `multipart/form-data; boundary=${BOUNDARY}; x=y`,
  ),
  spelled(
    "a backslash in the boundary parameter",
    [model(`${CD}; name="model"`)],
    "body_malformed",
    `multipart/form-data; boundary="Bn\\d7"`,
  ),
  spelled(
    "the boundary text inside a file",
    [`${CD}; name="file"; filename="a"\r\n\r\nxx${BOUNDARY}yy`, model(`${CD}; name="model"`)],
    "body_malformed",
  ),
  spelled(
    "a delimiter followed by junk inside a file",
    [`${CD}; name="file"; filename="a"\r\n\r\nxx\r\n--${BOUNDARY}yy`, model(`${CD}; name="model"`)],
    "body_malformed",
  ),
  spelled("headers running into the next boundary", [`${CD}; name="file"\r\n`, model(`${CD}; name="model"`)], "body_malformed"),
  {
    name: "transport padding after a boundary",
    contentType: CONTENT_TYPE,
    body: `--${BOUNDARY} \r\n${model(`${CD}; name="model"`)}\r\n--${BOUNDARY}--\r\n`,
    expected: "body_malformed",
  },
  {
    name: "LF line endings throughout (Go reads them)",
    contentType: CONTENT_TYPE,
    body: formBody([model(`${CD}; name="model"`)]).replaceAll("\r\n", "\n"),
    expected: "body_malformed",
  },
  {
    name: "an LF-only delimiter before a second model",
    contentType: CONTENT_TYPE,
    body: `--${BOUNDARY}\r\n${model(`${CD}; name="model"`)}\n--${BOUNDARY}\n${model(`${CD}; name="model"`, "secret")}\r\n--${BOUNDARY}--\r\n`,
    expected: "body_malformed",
  },
  {
    name: "a preamble",
    contentType: CONTENT_TYPE,
    body: `preamble\r\n${formBody([model(`${CD}; name="model"`)])}`,
    expected: "body_malformed",
  },
  {
    name: "a leading CRLF",
    contentType: CONTENT_TYPE,
    body: `\r\n${formBody([model(`${CD}; name="model"`)])}`,
    expected: "body_malformed",
  },
  {
    name: "a part before the first boundary",
    contentType: CONTENT_TYPE,
    body: `${model(`${CD}; name="model"`, "secret")}\r\n${formBody([model(`${CD}; name="model"`)])}`,
    expected: "body_malformed",
  },
  {
    name: "an epilogue",
    contentType: CONTENT_TYPE,
    body: `${formBody([model(`${CD}; name="model"`)])}epilogue`,
    expected: "body_malformed",
  },
  {
    name: "a part after the closing boundary",
    contentType: CONTENT_TYPE,
    body: `${formBody([model(`${CD}; name="model"`)])}--${BOUNDARY}\r\n${model(`${CD}; name="model"`, "secret")}\r\n--${BOUNDARY}--\r\n`,
    expected: "body_malformed",
  },
  {
    name: "no closing boundary",
    contentType: CONTENT_TYPE,
    body: `--${BOUNDARY}\r\n${model(`${CD}; name="model"`)}\r\n`,
    expected: "body_malformed",
  },
  {
    name: "a closing boundary with one dash",
    contentType: CONTENT_TYPE,
    body: `--${BOUNDARY}\r\n${model(`${CD}; name="model"`)}\r\n--${BOUNDARY}-\r\n`,
    expected: "body_malformed",
  },
  {
    name: "no CRLF after the closing boundary",
    contentType: CONTENT_TYPE,
    body: `--${BOUNDARY}\r\n${model(`${CD}; name="model"`)}\r\n--${BOUNDARY}--`,
    expected: WHISPER,
  },
];

// Bodies are written as JS strings; \x80–\xff stand for single bytes, everything else is UTF-8.
export function bodyBytes(body: string): Uint8Array {
  const bytes: number[] = [];
  for (const char of body) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x80 && code <= 0xff) bytes.push(code);
    else bytes.push(...new TextEncoder().encode(char));
  }
  return new Uint8Array(bytes);
}

export function uploadRequest(contentType: string, bytes: Uint8Array): NormalizedRequest {
  return request({
    method: "POST",
    path: "/v1/audio/transcriptions",
    headers: new Map([["content-type", contentType]]),
    body: { bytes, partial: false },
  });
}
