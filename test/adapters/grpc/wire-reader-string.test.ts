import { describe, expect, it } from "vitest";
import { readerOf, readString } from "../../../src/adapters/grpc/wire-reader.ts";

// readString decodes with Buffer's UTF-8 slicer directly; it must read exactly what
// toString("utf8") reads, including replacement characters and a length cut at the message end.
const framed = (content: Buffer, declared = content.length): Buffer => Buffer.concat([Buffer.from([declared]), content]);

const cases: readonly [string, Buffer, string][] = [
  ["empty", framed(Buffer.alloc(0)), ""],
  ["ASCII", framed(Buffer.from("x-api-key")), "x-api-key"],
  ["multi-byte UTF-8", framed(Buffer.from("caf\u00e9 \u{1f600}")), "caf\u00e9 \u{1f600}"],
  ["an invalid byte becomes U+FFFD", framed(Buffer.from([0x61, 0xff, 0x62])), "a\ufffdb"],
  ["a truncated sequence becomes U+FFFD", framed(Buffer.from([0x61, 0xe2, 0x82])), "a\ufffd"],
  ["a length past the end is cut at the end", framed(Buffer.from("abc"), 9), "abc"],
];

describe("readString", () => {
  it.each(cases)("%s", (_name, bytes, text) => {
    const r = readerOf(bytes);
    expect(readString(r)).toBe(text);
    expect(readString(readerOf(bytes))).toBe(bytes.toString("utf8", 1, Math.min(1 + (bytes[0] as number), bytes.length)));
    expect(r.pos).toBe(bytes.length);
  });

  it("reads inside a narrowed message without passing its end", () => {
    const bytes = Buffer.concat([framed(Buffer.from("abcdef"), 6), Buffer.from("zz")]);
    const r = { ...readerOf(bytes), len: 4 };
    expect(readString(r)).toBe("abc");
    expect(r.pos).toBe(4);
  });
});
