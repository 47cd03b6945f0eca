import { percentDecode } from "../../request/percent-decode.ts";
import { err, ok } from "../../result.ts";
import type { Result } from "../../result.ts";

// The x-forwarded-client-cert grammar (Envoy's HCM docs, "x-forwarded-client-cert"):
//
//   header  = element *( OWS "," OWS element )        one element per proxy hop, appended at the end
//   element = pair *( OWS ";" OWS pair )
//   pair    = key "=" ( quoted / unquoted )           keys case-insensitive, values case-sensitive
//   quoted  = DQUOTE *( "\" CHAR / not DQUOTE or "\" ) DQUOTE
//   unquoted= *( not "," ";" DQUOTE )                Envoy leaves By/URI/DNS unquoted
//
// Keys: By (repeats), Hash, Cert and Chain (URL-encoded PEM), Subject, URI (repeats), DNS
// (repeats); others are ignored. Ambiguity is malformed rather than resolved by a guess: a
// repeated Hash/Cert/Chain/Subject, an empty element or pair, a stray quote, a control character.
// One linear pass, and the size cap is checked before any scanning.

export interface XfccElement {
  readonly by: readonly string[];
  readonly hash: string | undefined; // lower-case hex SHA-256 of the client leaf (DER)
  readonly cert: string | undefined; // URL-decoded PEM of the client leaf
  readonly chain: string | undefined; // URL-decoded PEM of the client chain, leaf included
  readonly subject: string | undefined;
  readonly uris: readonly string[];
  readonly dns: readonly string[];
}

export const XFCC_HEADER = "x-forwarded-client-cert";
export const DEFAULT_XFCC_MAX_BYTES = 32 * 1024;
const MAX_ELEMENTS = 64;
const MAX_PAIRS = 256;
const SINGLE_KEYS = new Set(["hash", "cert", "chain", "subject"]);
const HASH = /^[0-9a-fA-F]{64}$/;

type Pair = readonly [key: string, value: string];

export function parseXfcc(text: string, maxBytes: number = DEFAULT_XFCC_MAX_BYTES): Result<XfccElement[], string> {
  if (text.length > maxBytes) return err(`the header is longer than ${maxBytes} bytes`);
  const scanned = scan(text);
  if (!scanned.ok) return scanned;
  const elements: XfccElement[] = [];
  for (const [i, pairs] of scanned.value.entries()) {
    const element = interpret(pairs);
    if (!element.ok) return err(`element ${i + 1}: ${element.error}`);
    elements.push(element.value);
  }
  return ok(elements);
}

function scan(text: string): Result<Pair[][], string> {
  const elements: Pair[][] = [];
  let pairs: Pair[] = [];
  let i = skipOws(text, 0);
  for (;;) {
    const keyEnd = skipKey(text, i);
    if (keyEnd === i) return err(`expected a key at offset ${i}`);
    if (text[keyEnd] !== "=") return err(`expected "=" at offset ${keyEnd}`);
    const value = text[keyEnd + 1] === '"' ? readQuoted(text, keyEnd + 1) : readUnquoted(text, keyEnd + 1);
    if (!value.ok) return value;
    pairs.push([text.slice(i, keyEnd).toLowerCase(), value.value.text]);
    if (pairs.length > MAX_PAIRS) return err(`more than ${MAX_PAIRS} pairs in one element`);
    i = skipOws(text, value.value.next);
    if (i === text.length) break;
    const separator = text[i];
    if (separator !== "," && separator !== ";") return err(`expected "," or ";" at offset ${i}`);
    if (separator === ",") {
      elements.push(pairs);
      pairs = [];
      if (elements.length >= MAX_ELEMENTS) return err(`more than ${MAX_ELEMENTS} elements`);
    }
    i = skipOws(text, i + 1);
  }
  elements.push(pairs);
  return ok(elements);
}

interface Scanned {
  readonly text: string;
  readonly next: number;
}

function readQuoted(text: string, open: number): Result<Scanned, string> {
  const chunks: string[] = [];
  let start = open + 1;
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isControl(code)) return err(`control character at offset ${i}`);
    if (code === 0x22) {
      chunks.push(text.slice(start, i));
      return ok({ text: chunks.join(""), next: i + 1 });
    }
    if (code === 0x5c) {
      if (i + 1 >= text.length || isControl(text.charCodeAt(i + 1))) break;
      chunks.push(text.slice(start, i));
      start = i + 1; // keep the escaped character, drop the backslash
      i++;
    }
  }
  return err(`unterminated quoted value starting at offset ${open}`);
}

function readUnquoted(text: string, start: number): Result<Scanned, string> {
  let i = start;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2c || code === 0x3b) break;
    if (code === 0x22) return err(`unexpected quote at offset ${i}`);
    if (isControl(code)) return err(`control character at offset ${i}`);
  }
  let end = i;
  while (end > start && isOws(text.charCodeAt(end - 1))) end--;
  return ok({ text: text.slice(start, end), next: i });
}

function interpret(pairs: readonly Pair[]): Result<XfccElement, string> {
  const single = new Map<string, string>();
  const lists = { by: [] as string[], uri: [] as string[], dns: [] as string[] };
  for (const [key, value] of pairs) {
    if (SINGLE_KEYS.has(key)) {
      if (single.has(key)) return err(`repeated ${key} key`);
      single.set(key, value);
    } else if (key === "by" || key === "uri" || key === "dns") {
      // Envoy writes "URI=" when the certificate has no URI SAN: an empty value is no value.
      if (value !== "") lists[key].push(value);
    }
  }
  const hash = single.get("hash");
  if (hash !== undefined && !HASH.test(hash)) return err("Hash is not 64 hexadecimal digits");
  const cert = decodePem(single.get("cert"), "Cert");
  const chain = decodePem(single.get("chain"), "Chain");
  if (!cert.ok) return cert;
  if (!chain.ok) return chain;
  return ok(
    Object.freeze({
      by: Object.freeze(lists.by),
      hash: hash?.toLowerCase(),
      cert: cert.value,
      chain: chain.value,
      subject: single.get("subject"),
      uris: Object.freeze(lists.uri),
      dns: Object.freeze(lists.dns),
    }),
  );
}

function decodePem(value: string | undefined, key: string): Result<string | undefined, string> {
  if (value === undefined || value === "") return ok(undefined);
  const decoded = percentDecode(value, false);
  return decoded.ok ? decoded : err(`${key} is not URL-encoded PEM: ${decoded.error}`);
}

function skipOws(text: string, from: number): number {
  let i = from;
  while (i < text.length && isOws(text.charCodeAt(i))) i++;
  return i;
}

// RFC 9110 token characters minus the separators that cannot appear in XFCC keys.
function skipKey(text: string, from: number): number {
  let i = from;
  while (i < text.length && isKeyChar(text.charCodeAt(i))) i++;
  return i;
}

function isKeyChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x2d || code === 0x5f
  );
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09) || code === 0x7f;
}
