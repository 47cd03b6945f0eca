// A small, strict parser for RFC 8941 Structured-Field Lists, enough to check what modelgate
// emits in `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers-10 §5):
// list members are items (no inner lists); bare items are Strings, Tokens, Integers or Booleans;
// parameters are `;key[=value]` with the same bare item types. Decimals, Byte Sequences, Dates,
// Display Strings and inner lists are rejected, because modelgate never sends them.
// Follows the parsing algorithm of RFC 8941 §4.2 and throws SfParseError on any deviation.

export type BareItem =
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "token"; readonly value: string }
  | { readonly type: "integer"; readonly value: number }
  | { readonly type: "boolean"; readonly value: boolean };

export interface SfItem {
  readonly value: BareItem;
  // In wire order, duplicates kept, so a test can insist on unique keys.
  readonly params: readonly (readonly [key: string, value: BareItem])[];
}

export class SfParseError extends Error {}

const DIGIT = /[0-9]/;
const ALPHA = /[A-Za-z]/;
const LCALPHA = /[a-z]/;
const KEY_CHAR = /[a-z0-9_\-.*]/;
// RFC 9110 tchar, plus ":" and "/" for tokens (RFC 8941 §3.3.4).
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/;

class Cursor {
  readonly text: string;
  pos = 0;
  constructor(text: string) {
    this.text = text;
  }
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? "";
  }
  next(): string {
    const c = this.peek();
    this.pos += 1;
    return c;
  }
  fail(what: string): never {
    throw new SfParseError(`${what} at offset ${this.pos} in ${JSON.stringify(this.text)}`);
  }
  skipSp(): void {
    while (this.peek() === " ") this.pos += 1;
  }
  skipOws(): void {
    while (this.peek() === " " || this.peek() === "\t") this.pos += 1;
  }
}

export function parseSfList(text: string): SfItem[] {
  // RFC 8941 §4.2: the field value is ASCII; leading and trailing SP are discarded.
  if (!/^[\x20-\x7e\t]*$/.test(text)) throw new SfParseError(`non-ASCII or control character in ${JSON.stringify(text)}`);
  const c = new Cursor(text);
  c.skipSp();
  const members: SfItem[] = [];
  while (!c.done) {
    members.push(parseItem(c));
    c.skipOws();
    if (c.done) break;
    if (c.next() !== ",") c.fail("expected ','");
    c.skipOws();
    if (c.done) c.fail("trailing ','");
  }
  // Trailing SP was consumed by skipOws; nothing else may follow.
  return members;
}

function parseItem(c: Cursor): SfItem {
  if (c.peek() === "(") c.fail("inner lists are not expected");
  const value = parseBareItem(c);
  return { value, params: parseParameters(c) };
}

function parseParameters(c: Cursor): [string, BareItem][] {
  const params: [string, BareItem][] = [];
  while (c.peek() === ";") {
    c.next();
    c.skipSp();
    const key = parseKey(c);
    let value: BareItem = { type: "boolean", value: true };
    if (c.peek() === "=") {
      c.next();
      value = parseBareItem(c);
    }
    params.push([key, value]);
  }
  return params;
}

function parseKey(c: Cursor): string {
  const first = c.peek();
  if (!(LCALPHA.test(first) || first === "*")) c.fail("expected a key");
  let key = "";
  while (!c.done && KEY_CHAR.test(c.peek())) key += c.next();
  return key;
}

function parseBareItem(c: Cursor): BareItem {
  const first = c.peek();
  if (first === "-" || DIGIT.test(first)) return parseInteger(c);
  if (first === '"') return parseString(c);
  if (first === "?") return parseBoolean(c);
  if (ALPHA.test(first) || first === "*") return parseToken(c);
  return c.fail("expected a bare item (string, token, integer or boolean)");
}

function parseInteger(c: Cursor): BareItem {
  let sign = 1;
  if (c.peek() === "-") {
    c.next();
    sign = -1;
  }
  let digits = "";
  while (!c.done && DIGIT.test(c.peek())) digits += c.next();
  if (digits === "") c.fail("expected a digit");
  if (c.peek() === ".") c.fail("decimals are not expected");
  if (digits.length > 15) c.fail("integer longer than 15 digits");
  return { type: "integer", value: sign * Number(digits) };
}

function parseString(c: Cursor): BareItem {
  c.next(); // the opening DQUOTE
  let out = "";
  for (;;) {
    if (c.done) c.fail("unterminated string");
    const ch = c.next();
    if (ch === "\\") {
      if (c.done) c.fail("string ends after '\\'");
      const escaped = c.next();
      if (escaped !== '"' && escaped !== "\\") c.fail('only \\" and \\\\ are escapes');
      out += escaped;
    } else if (ch === '"') {
      return { type: "string", value: out };
    } else if (ch < "\x20" || ch > "\x7e") {
      c.fail("non-printable character in a string");
    } else {
      out += ch;
    }
  }
}

function parseToken(c: Cursor): BareItem {
  let out = c.next();
  while (!c.done && TOKEN_CHAR.test(c.peek())) out += c.next();
  return { type: "token", value: out };
}

function parseBoolean(c: Cursor): BareItem {
  c.next();
  const v = c.next();
  if (v === "1") return { type: "boolean", value: true };
  if (v === "0") return { type: "boolean", value: false };
  return c.fail("a boolean is ?0 or ?1");
}

// The value of parameter `key`, failing unless it occurs exactly once.
export function param(item: SfItem, key: string): BareItem | undefined {
  const found = item.params.filter(([k]) => k === key);
  if (found.length > 1) throw new SfParseError(`parameter ${key} occurs ${found.length} times`);
  return found[0]?.[1];
}
