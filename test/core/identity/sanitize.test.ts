import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sanitizeHeaderValue } from "../../../src/core/identity/sanitize.ts";

describe("sanitizeHeaderValue", () => {
  it.each<[string, string, number | undefined, string]>([
    ["a plain value unchanged", "alice@example.com", undefined, "alice@example.com"],
    ["CRLF replaced, so no header split", "alice\r\nx-admin: true", undefined, "alice\ufffd\ufffdx-admin: true"],
    ["NUL replaced", "a\0b", undefined, "a\ufffdb"],
    ["tab and DEL replaced", "a\tb\u007f", undefined, "a\ufffdb\ufffd"],
    ["an ANSI escape neutralised", "\u001b[31mred", undefined, "\ufffd[31mred"],
    ["a C1 CSI replaced", "a\u009bb", undefined, "a\ufffdb"],
    ["a Unicode line separator replaced", "a\u2028b", undefined, "a\ufffdb"],
    ["a lone surrogate replaced", "a\ud800b", undefined, "a\ufffdb"],
    ["surrounding spaces trimmed", "  alice  ", undefined, "alice"],
    ["non-ASCII letters kept", "zoë 🦊", undefined, "zoë 🦊"],
    ["cut to maxLen", "abcdef", 3, "abc"],
    ["a surrogate pair never split", "ab🦊", 3, "ab"],
    ["a space before the cut trimmed", "ab cd", 3, "ab"],
    ["maxLen 0 gives nothing", "abc", 0, ""],
    ["the default bound is 256", "x".repeat(300), undefined, "x".repeat(256)],
  ])("%s", (_name, input, maxLen, expected) => {
    expect(maxLen === undefined ? sanitizeHeaderValue(input) : sanitizeHeaderValue(input, maxLen)).toBe(expected);
  });

  it("never returns CR, LF, NUL or other controls, and respects maxLen", () => {
    const text = fc.oneof(fc.string({ unit: "binary", maxLength: 400 }), fc.string({ unit: "grapheme", maxLength: 100 }));
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 300 }), (input, maxLen) => {
        const out = sanitizeHeaderValue(input, maxLen);
        expect(out).not.toMatch(/[\u0000-\u001f\u007f]/);
        expect(out.length).toBeLessThanOrEqual(maxLen);
        expect(out.isWellFormed()).toBe(true);
        expect(sanitizeHeaderValue(out, maxLen)).toBe(out);
      }),
      { numRuns: 2000 },
    );
  });
});
