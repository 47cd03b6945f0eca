import { describe, expect, it } from "vitest";
import { WireWriter } from "../../../src/adapters/grpc/wire-writer.ts";

// WireWriter.string writes with Buffer's UTF-8 encoder directly; the bytes must be exactly a
// tag, the UTF-8 length as a varint and Buffer.from(text, "utf8") (lone surrogates as U+FFFD).
const cases: readonly [string, string][] = [
  ["empty", ""],
  ["ASCII", "x-envoy-auth-failure-mode-allowed"],
  ["multi-byte", "caf\u00e9 \u20ac \u{1f600}"],
  ["a lone surrogate", "a\ud800b"],
  ["128 bytes: a two-byte length", "x".repeat(128)],
  ["past the first 4096-byte scratch buffer", "\u00e9".repeat(3000)],
];

function varint(n: number): number[] {
  const out: number[] = [];
  for (; n > 127; n >>>= 7) out.push((n & 127) | 128);
  return [...out, n];
}

describe("WireWriter.string", () => {
  it.each(cases)("%s", (_name, text) => {
    const content = Buffer.from(text, "utf8");
    const expected = Buffer.concat([Buffer.from([(7 << 3) | 2, ...varint(content.length)]), content]);
    const w = new WireWriter();
    expect(w.string(7, text).finish()).toEqual(expected);
    expect(w.string(7, text).finish()).toEqual(expected); // the scratch buffer reused
  });
});
