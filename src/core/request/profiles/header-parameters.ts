import { err, ok, type Result } from "../../result.ts";

// A header value with parameters, `value *( OWS ";" OWS name OWS "=" OWS ( token / quoted-string ) )`
// (RFC 9110 §5.6.6, as Content-Type, RFC 2183/6266 Content-Disposition and RFC 7578 use it).
// Read strictly, because the parsers behind us (python-multipart's regex and its later
// email.message version, undici, Go's mime) disagree on everything outside this grammar: a
// backslash anywhere (quoted-pair is unescaped by some, kept by others), a repeated parameter
// (first wins in some, last in others), an empty parameter or a trailing `;`, a `;` inside
// quotes, control characters, anything that is neither token nor quoted-string. Those are refused, not guessed.
export interface ParameterizedValue {
  readonly value: string; // lower-cased
  readonly parameters: ReadonlyMap<string, string>; // lower-cased names → unquoted values
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const MEDIA_VALUE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+)?$/;
// HTAB, visible ASCII, space, and non-ASCII (obs-text once decoded); no other control characters.
const HEADER_TEXT = /^[\t\x20-\x7e\u0080-\u{10ffff}]*$/u;

export function parseParameterizedValue(text: string): Result<ParameterizedValue, string> {
  if (!HEADER_TEXT.test(text)) return err("a control character in a header value");
  if (text.includes("\\")) return err("a backslash in a header value (quoted-pair is read differently by different parsers)");
  const semicolon = text.indexOf(";");
  const value = trimOws(semicolon < 0 ? text : text.slice(0, semicolon));
  if (!MEDIA_VALUE.test(value)) return err(`"${value}" is not a token`);
  const parameters = new Map<string, string>();
  let at = semicolon < 0 ? text.length : semicolon;
  while (at < text.length) {
    const parameter = readParameter(text, at + 1); // past the ";"
    if (!parameter.ok) return parameter;
    const { name, parameterValue, end } = parameter.value;
    if (parameters.has(name)) return err(`parameter ${name} is repeated`);
    parameters.set(name, parameterValue);
    at = end;
  }
  return ok({ value: value.toLowerCase(), parameters });
}

interface Parameter {
  readonly name: string;
  readonly parameterValue: string;
  readonly end: number; // the index of the next ";" or the end of the text
}

function readParameter(text: string, from: number): Result<Parameter, string> {
  let at = skipOws(text, from);
  const nameStart = at;
  while (at < text.length && TOKEN_CHAR.test(text.charAt(at))) at++;
  const name = text.slice(nameStart, at).toLowerCase();
  if (name === "") return err("an empty parameter (a stray or trailing `;`)");
  at = skipOws(text, at);
  if (text.charAt(at) !== "=") return err(`parameter ${name} has no "="`);
  at = skipOws(text, at + 1);
  const value = text.charAt(at) === '"' ? readQuoted(text, at) : readToken(text, at);
  if (!value.ok) return err(`parameter ${name}: ${value.error}`);
  const end = skipOws(text, value.value.end);
  if (end < text.length && text.charAt(end) !== ";") return err(`parameter ${name} is followed by "${text.charAt(end)}", not ";"`);
  return ok({ name, parameterValue: value.value.text, end });
}

function readQuoted(text: string, open: number): Result<{ text: string; end: number }, string> {
  const close = text.indexOf('"', open + 1);
  if (close < 0) return err("a quoted string does not end");
  // A parser that splits on ";" before unquoting would find another parameter inside.
  if (text.slice(open + 1, close).includes(";")) return err("a quoted string holds a `;`");
  return ok({ text: text.slice(open + 1, close), end: close + 1 });
}

function readToken(text: string, from: number): Result<{ text: string; end: number }, string> {
  let at = from;
  while (at < text.length && TOKEN_CHAR.test(text.charAt(at))) at++;
  const token = text.slice(from, at);
  return TOKEN.test(token) ? ok({ text: token, end: at }) : err("the value is neither a token nor a quoted string");
}

function skipOws(text: string, from: number): number {
  let at = from;
  while (text.charAt(at) === " " || text.charAt(at) === "\t") at++;
  return at;
}

function trimOws(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, "");
}
