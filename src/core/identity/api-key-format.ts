import { err, ok } from "../result.ts";
import type { Result } from "../result.ts";
import { crc32 } from "node:zlib";

// API key format — a **contract** (users, leak scanners and the key stores rely on it):
//
//   mgk_<id>_<secret><checksum>                       55 ASCII characters in total
//
//   "mgk_"     prefix; marks a modelgate key for grep and secret scanning
//   id         12 chars [a-z2-7]: RFC 4648 base32 alphabet lower-cased, 60 random bits.
//              Public lookup handle (O(1) index), stored in clear in the key record.
//   "_"
//   secret     32 chars [0-9A-Za-z]: base62, ≈190 random bits
//   checksum   6 chars [0-9A-Za-z]: CRC-32 (IEEE) of the ASCII text "mgk_<id>_<secret>", written
//              in base62 with alphabet 0-9A-Za-z, most significant digit first, "0"-padded.
//
//   Scanner regex: \bmgk_[a-z2-7]{12}_[0-9A-Za-z]{38}\b
//
// The checksum lets a gateway reject typos and random strings before any store lookup
// (security.md K3/T11) and lets scanners tell real keys from look-alikes, as GitHub tokens do.

export const API_KEY_PREFIX = "mgk_";
export const API_KEY_ID_LENGTH = 12;
export const API_KEY_SECRET_LENGTH = 32;
export const API_KEY_CHECKSUM_LENGTH = 6;
export const API_KEY_LENGTH = API_KEY_PREFIX.length + API_KEY_ID_LENGTH + 1 + API_KEY_SECRET_LENGTH + API_KEY_CHECKSUM_LENGTH;

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ID_PATTERN = /^[a-z2-7]{12}$/;
// The whole shape at once (prefix, id, separator, secret and checksum alphabets): one test, no slices.
const KEY_PATTERN = /^mgk_[a-z2-7]{12}_[0-9A-Za-z]{38}$/;

export interface ParsedApiKey {
  readonly id: string;
  readonly secretPart: string; // the 32 random characters, without the checksum
  readonly full: string;
}

export type ApiKeyFormatError = "api_key_malformed" | "api_key_checksum";

export interface MintedApiKey {
  readonly key: string;
  readonly id: string;
}

// Decides which Bearer tokens belong to the API key source rather than to a JWT source.
export function looksLikeApiKey(text: string): boolean {
  return text.startsWith(API_KEY_PREFIX);
}

export function isApiKeyId(text: string): boolean {
  return ID_PATTERN.test(text);
}

// Shape first (length, prefix, separator, alphabets), then the checksum; no store is consulted.
export function parseApiKey(text: string): Result<ParsedApiKey, ApiKeyFormatError> {
  if (text.length !== API_KEY_LENGTH || !KEY_PATTERN.test(text)) return err("api_key_malformed");
  if (!checksumMatches(text)) return err("api_key_checksum");
  const idEnd = API_KEY_PREFIX.length + API_KEY_ID_LENGTH;
  const secretPart = text.slice(idEnd + 1, idEnd + 1 + API_KEY_SECRET_LENGTH);
  return ok({ id: text.slice(API_KEY_PREFIX.length, idEnd), secretPart, full: text });
}

// `randomBytes` must be a CSPRNG (node:crypto randomBytes in production); it is injected so core
// stays pure and tests are deterministic.
export function mintApiKey(randomBytes: (n: number) => Uint8Array): MintedApiKey {
  const id = base32Chars(take(randomBytes, API_KEY_ID_LENGTH));
  const secret = base62Chars(take(randomBytes, API_KEY_SECRET_LENGTH * 2));
  const body = `${API_KEY_PREFIX}${id}_${secret}`;
  return { key: body + checksumOf(body), id };
}

// The body is ASCII (checked before), so zlib's UTF-8 encoding of the string is its bytes.
function checksumOf(body: string): string {
  let value = crc32(body);
  let digits = "";
  for (let i = 0; i < API_KEY_CHECKSUM_LENGTH; i++) {
    digits = BASE62.charAt(value % 62) + digits;
    value = Math.floor(value / 62);
  }
  return digits;
}

// Compares the key's last six characters with the checksum of the rest digit by digit, least
// significant first, without building the checksum text (this runs on every request).
function checksumMatches(key: string): boolean {
  let value = crc32(key.slice(0, API_KEY_LENGTH - API_KEY_CHECKSUM_LENGTH));
  for (let at = API_KEY_LENGTH - 1; at >= API_KEY_LENGTH - API_KEY_CHECKSUM_LENGTH; at--) {
    if (key.charCodeAt(at) !== BASE62.charCodeAt(value % 62)) return false;
    value = Math.floor(value / 62);
  }
  return true;
}

// 256 is a multiple of 32, so the low five bits of each byte are uniform.
function base32Chars(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += BASE32.charAt(byte & 31);
  return out;
}

// Two bytes per character: 65536 mod 62 = 2, a bias of 3e-5 that costs no measurable entropy,
// and unlike rejection sampling the number of random bytes needed is fixed.
function base62Chars(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out += BASE62.charAt((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)) % 62);
  }
  return out;
}

function take(randomBytes: (n: number) => Uint8Array, n: number): Uint8Array {
  const bytes = randomBytes(n);
  // A short buffer is a wiring bug, not bad input: failing loudly beats minting a weak key.
  if (bytes.length < n) throw new Error(`randomBytes(${n}) returned ${bytes.length} bytes`);
  return bytes;
}
