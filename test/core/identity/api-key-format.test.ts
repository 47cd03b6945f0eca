import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { API_KEY_LENGTH, looksLikeApiKey, mintApiKey, parseApiKey } from "../../../src/core/identity/api-key-format.ts";
import { mintFrom } from "./helpers.ts";

const SCANNER_REGEX = /^mgk_[a-z2-7]{12}_[0-9A-Za-z]{38}$/;
const VALID = mintFrom("format-valid").key;
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function replaceAt(text: string, index: number, char: string): string {
  return text.slice(0, index) + char + text.slice(index + 1);
}

// A different character from the same alphabet, so only the checksum can catch the change.
function sameAlphabetTypo(text: string, index: number): string {
  const alphabet = index < 16 ? BASE32 : BASE62;
  const current = alphabet.indexOf(text.charAt(index));
  return replaceAt(text, index, alphabet.charAt((current + 1) % alphabet.length));
}

describe("the key checksum", () => {
  // A fixed key pins the contract: scanners and other implementations compute the same value.
  it("is the base62 CRC-32 (IEEE) of everything before it", () => {
    const body = "mgk_aaaaaaaaaaaa_" + "0123456789abcdefghijklmnopqrstuv";
    const parsed = parseApiKey(body + checksumOf(body));
    expect(parsed.ok).toBe(true);
  });
});

function checksumOf(body: string): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let value = crcIeee(new TextEncoder().encode(body));
  let out = "";
  for (let i = 0; i < 6; i++) {
    out = alphabet.charAt(value % 62) + out;
    value = Math.floor(value / 62);
  }
  return out;
}

// An independent bitwise CRC-32 so the test does not check the implementation against itself.
function crcIeee(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe("mintApiKey", () => {
  it("produces the documented shape and parses back", () => {
    const minted = mintFrom("shape");
    expect(minted.key).toMatch(SCANNER_REGEX);
    expect(minted.key).toHaveLength(API_KEY_LENGTH);
    expect(minted.key.slice(4, 16)).toBe(minted.id);
    expect(parseApiKey(minted.key)).toEqual({
      ok: true,
      value: { id: minted.id, secretPart: minted.key.slice(17, 49), full: minted.key },
    });
  });

  it("is deterministic in its random input and differs across inputs", () => {
    expect(mintFrom("a").key).toBe(mintFrom("a").key);
    expect(mintFrom("a").key).not.toBe(mintFrom("b").key);
  });

  it("fails loudly when the random source returns too few bytes", () => {
    expect(() => mintApiKey((n) => new Uint8Array(n - 1))).toThrow(/randomBytes/);
  });
});

describe("parseApiKey", () => {
  it.each([
    ["a minted key", VALID, "ok"],
    ["the empty string", "", "api_key_malformed"],
    ["a wrong prefix", `mgx_${VALID.slice(4)}`, "api_key_malformed"],
    ["an upper-case prefix", `MGK_${VALID.slice(4)}`, "api_key_malformed"],
    ["one character missing", VALID.slice(0, -1), "api_key_malformed"],
    ["one character extra", `${VALID}a`, "api_key_malformed"],
    ["surrounding whitespace", ` ${VALID}`.slice(0, API_KEY_LENGTH), "api_key_malformed"],
    ["an upper-case id", VALID.slice(0, 4) + VALID.slice(4, 16).toUpperCase() + VALID.slice(16), "api_key_malformed"],
    ["a digit outside base32 in the id", replaceAt(VALID, 5, "1"), "api_key_malformed"],
    ["a missing separator", replaceAt(VALID, 16, "a"), "api_key_malformed"],
    ["a dash in the secret", replaceAt(VALID, 20, "-"), "api_key_malformed"],
    ["an underscore in the checksum", replaceAt(VALID, API_KEY_LENGTH - 1, "_"), "api_key_malformed"],
    ["a non-ASCII letter", replaceAt(VALID, 30, "é"), "api_key_malformed"],
    ["a 1 MiB string", `mgk_${"a".repeat(1 << 20)}`, "api_key_malformed"],
    ["a typo in the id", sameAlphabetTypo(VALID, 6), "api_key_checksum"],
    ["a typo in the secret", sameAlphabetTypo(VALID, 30), "api_key_checksum"],
    ["a typo in the checksum", sameAlphabetTypo(VALID, API_KEY_LENGTH - 2), "api_key_checksum"],
    ["two swapped secret characters", VALID.slice(0, 20) + VALID[21] + VALID[20] + VALID.slice(22), "api_key_checksum"],
  ])("classifies %s", (_name, text, expected) => {
    const result = parseApiKey(text);
    if (expected === "ok") expect(result.ok).toBe(true);
    else expect(result).toEqual({ ok: false, error: expected });
  });

  it("rejects every single-character change of a valid key", () => {
    const keys = fc.string({ minLength: 8, maxLength: 8 }).map((seed) => mintFrom(seed).key);
    const position = fc.integer({ min: 0, max: API_KEY_LENGTH - 1 });
    fc.assert(
      fc.property(keys, position, fc.string({ minLength: 1, maxLength: 1, unit: "binary" }), (key, at, char) => {
        fc.pre(key[at] !== char);
        expect(parseApiKey(replaceAt(key, at, char)).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("reports a same-alphabet change at any position as a checksum error", () => {
    const keys = fc.string({ minLength: 8, maxLength: 8 }).map((seed) => mintFrom(seed).key);
    const position = fc.integer({ min: 4, max: API_KEY_LENGTH - 1 }).filter((i) => i !== 16);
    fc.assert(
      fc.property(keys, position, (key, at) => {
        expect(parseApiKey(sameAlphabetTypo(key, at))).toEqual({ ok: false, error: "api_key_checksum" });
      }),
      { numRuns: 2000 },
    );
  });

  it("never accepts random strings, even ones with the right shape", () => {
    const chars = (alphabet: string, n: number) =>
      fc.array(fc.constantFrom(...alphabet), { minLength: n, maxLength: n }).map((a) => a.join(""));
    const shaped = fc.tuple(chars(BASE32, 12), chars(BASE62, 38)).map(([id, tail]) => `mgk_${id}_${tail}`);
    fc.assert(
      fc.property(fc.oneof(fc.string(), shaped), (text) => !parseApiKey(text).ok),
      { numRuns: 5000 },
    );
  });
});

describe("looksLikeApiKey", () => {
  it.each([
    [VALID, true],
    ["mgk_anything", true],
    ["eyJhbGciOiJFUzI1NiJ9.e30.sig", false],
    ["MGK_upper", false],
    ["", false],
  ])("%s → %s", (text, expected) => {
    expect(looksLikeApiKey(text)).toBe(expected);
  });
});
