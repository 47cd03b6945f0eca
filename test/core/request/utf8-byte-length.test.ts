import { describe, expect, it } from "vitest";
import { utf8ByteLength } from "../../../src/core/request/utf8.ts";

// utf8ByteLength takes a fast path for pure-ASCII text; both paths must count what an encoder
// writes (lone surrogates as the 3-byte replacement character).
const encoded = (text: string): number => new TextEncoder().encode(text).length;

const cases: readonly [string, string, number][] = [
  ["empty", "", 0],
  ["ASCII", "x-request-id", 12],
  ["NUL and DEL, the ends of ASCII", "\u0000\u007f", 2],
  ["U+0080, the first 2-byte character", "\u0080", 2],
  ["ASCII then one 2-byte character at the end", "caf\u00e9", 5],
  ["a 3-byte character", "\u20ac", 3],
  ["a surrogate pair (4 bytes)", "\u{1f600}", 4],
  ["a lone high surrogate", "a\ud800b", 5],
  ["a lone low surrogate", "\udc00", 3],
  ["a high surrogate at the very end", "ab\udbff", 5],
  ["low before high is two lone surrogates", "\udc00\ud800", 6],
  ["mixed", "k=\u00e9\u20ac\u{10ffff}!", 2 + 2 + 3 + 4 + 1],
];

describe("utf8ByteLength", () => {
  it.each(cases)("%s", (_name, text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes);
    expect(utf8ByteLength(text)).toBe(encoded(text));
  });

  it("counts a long ASCII text and the same text with one non-ASCII character", () => {
    const ascii = "a".repeat(10_000);
    expect(utf8ByteLength(ascii)).toBe(10_000);
    expect(utf8ByteLength(`${ascii}\u00ff`)).toBe(10_002);
  });
});
