import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_RAW_PATH_LENGTH, canonicalizePath } from "../../../src/core/request/canonical-path.ts";

function pathOf(raw: string): string | undefined {
  const result = canonicalizePath(raw);
  return result.ok ? result.value.path : undefined;
}

function queryOf(raw: string): Record<string, readonly string[]> | undefined {
  const result = canonicalizePath(raw);
  return result.ok ? Object.fromEntries(result.value.query) : undefined;
}

describe("canonicalizePath: security.md T13 spellings of /x", () => {
  it.each<[string, string]>([
    ["//x", "/x"],
    ["/a/../x", "/x"],
    ["/x/.", "/x"],
    ["/x;p", "/x"],
    ["/x?q", "/x"],
    ["/x#f", "/x"],
    ["/x/", "/x"],
    ["/./x", "/x"],
    ["/x;p=1;q=2/", "/x"],
    ["///x//", "/x"],
    ["/%78", "/x"],
  ])("%j canonicalises to %j", (raw, canonical) => {
    expect(pathOf(raw)).toBe(canonical);
  });

  it("keeps case: /X is a different path", () => {
    expect(pathOf("/X")).toBe("/X");
  });

  it.each([
    ["/%2Fx", "encoded slash"],
    ["/x%2f", "encoded slash"],
    ["/x%2F", "encoded slash"],
    ["/%5cx", "encoded backslash"],
    ["/%5Cx", "encoded backslash"],
    ["\\x", "origin form"],
    ["/\\x", "backslash"],
    ["/x\\..\\admin", "backslash"],
    ["/x%00", "encoded NUL"],
    ["/x\u0000", "control character"],
    ["/%252F", "double encoding"],
    ["/x%2525", "double encoding"],
    ["/x%25", "double encoding"],
  ])("%j is path_invalid (%s)", (raw, detail) => {
    const result = canonicalizePath(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.reason).toBe("path_invalid");
      expect(result.error.detail).toContain(detail);
    }
  });
});

describe("canonicalizePath: dot segments, escapes, UTF-8", () => {
  it.each<[string, string]>([
    ["/%2e%2e/admin", "/admin"],
    ["/%2E%2E/admin", "/admin"],
    ["/a/%2E/b", "/a/b"],
    ["/a/.%2e/b", "/b"],
    ["/a/b/../../..", "/"],
    ["/../../etc/passwd", "/etc/passwd"],
    ["/a/..;x/b", "/b"],
    ["/a/...", "/a/..."],
    ["/", "/"],
    ["/?", "/"],
    ["/.", "/"],
    ["/;x", "/"],
    ["/v2/models/m%3Ainfer", "/v2/models/m:infer"],
    ["/v2/models/m%3ainfer", "/v2/models/m:infer"],
    ["/v1/models/m%3Apredict", "/v1/models/m:predict"],
    ["/caf%C3%A9", "/café"],
    ["/caf%c3%a9", "/café"],
    ["/café", "/café"],
    ["/a+b", "/a+b"],
    ["/a%20b", "/a b"],
    ["/%F0%9F%A4%96", "/🤖"],
  ])("%j canonicalises to %j", (raw, canonical) => {
    expect(pathOf(raw)).toBe(canonical);
  });

  it.each([
    ["/%C3%28", "UTF-8"],
    ["/%C3", "UTF-8"],
    ["/%ED%A0%80", "UTF-8"], // an encoded surrogate
    ["/%C0%AF", "UTF-8"], // overlong "/"
    ["/%zz", "invalid percent-escape"],
    ["/%4", "invalid percent-escape"],
    ["/%", "invalid percent-escape"],
    ["/a%g1", "invalid percent-escape"],
    ["/x%0a", "control"],
    ["/x%7F", "control"],
    ["/x%C2%85", "control"], // C1 NEL
    ["/x\u0085", "control"],
    ["/x\r\n", "control"],
    ["/x%3Bp", "semicolon"],
    ["/x%3Fq", "question mark"],
    ["/x%23f", "number sign"],
    ["/\ud800", "Unicode"],
  ])("%j is path_invalid (%s)", (raw, detail) => {
    const result = canonicalizePath(raw);
    expect(result.ok ? "accepted" : result.error.detail).toContain(detail);
  });

  it.each(["", "*", "x", "http://host/x", "https://host:443/x?q", "?x", "#x"])("%j is not in origin form", (raw) => {
    const result = canonicalizePath(raw);
    expect(result.ok ? undefined : result.error.reason).toBe("path_invalid");
  });
});

describe("canonicalizePath: query", () => {
  it.each<[string, Record<string, readonly string[]>]>([
    ["/x", {}],
    ["/x?", {}],
    ["/x?a=1", { a: ["1"] }],
    ["/x?a=1&b=2&a=3", { a: ["1", "3"], b: ["2"] }],
    ["/x?a", { a: [""] }],
    ["/x?a=&=b", { a: [""], "": ["b"] }],
    ["/x?a=1&&b=2", { a: ["1"], b: ["2"] }],
    ["/x?q=a+b%2Bc", { q: ["a b+c"] }],
    ["/x?model_name=m%3Av1", { model_name: ["m:v1"] }],
    ["/x?a=1=2", { a: ["1=2"] }],
    ["/x?p=%2F%25", { p: ["/%"] }],
    ["/x?a=1#frag&b=2", { a: ["1"] }],
    ["/x?a=caf%C3%A9", { a: ["café"] }],
    ["/x;p?a=1", { a: ["1"] }],
  ])("%j has query %j", (raw, query) => {
    expect(queryOf(raw)).toEqual(query);
  });

  it.each(["/x?a=%zz", "/x?a=%4", "/x?%C3%28=1", "/x?a=%00", "/x?a=\u0001"])("%j is path_invalid", (raw) => {
    const result = canonicalizePath(raw);
    expect(result.ok ? undefined : result.error.reason).toBe("path_invalid");
  });

  it("returns frozen value lists", () => {
    const result = canonicalizePath("/x?a=1");
    expect(result.ok && Object.isFrozen(result.value.query.get("a"))).toBe(true);
  });
});

describe("canonicalizePath: size", () => {
  it("accepts a long path up to the limit", () => {
    const raw = `/${"a/".repeat((MAX_RAW_PATH_LENGTH - 2) / 2)}b`.slice(0, MAX_RAW_PATH_LENGTH);
    expect(raw.length).toBe(MAX_RAW_PATH_LENGTH);
    expect(canonicalizePath(raw).ok).toBe(true);
  });

  it("refuses a path over the limit", () => {
    const result = canonicalizePath(`/${"a".repeat(MAX_RAW_PATH_LENGTH)}`);
    expect(result.ok ? undefined : result.error.detail).toContain("longer than");
  });

  it("resolves a deep ../ chain in linear time", () => {
    const raw = `/${"a/".repeat(10_000)}${"../".repeat(10_000)}x`;
    expect(pathOf(raw)).toBe("/x");
  });
});

// Raw paths built from fragments that exercise every rule, so the property explores escapes,
// dot segments, params and separators instead of mostly-invalid random text.
const fragment = fc.constantFrom(
  "/",
  "//",
  "a",
  "B",
  "..",
  ".",
  "%2e",
  "%2E%2e",
  ";p",
  ";",
  "%41",
  "%3A",
  ":",
  "%20",
  " ",
  "+",
  "é",
  "%C3%A9",
  "%2F",
  "%5C",
  "%25",
  "%00",
  "%zz",
  "\\",
  "?",
  "?a=1",
  "#",
  "#f",
  "&",
  "=",
  "~",
  "*",
  "{model}",
  "%3B",
  "%3F",
  "%23",
);
const rawPath = fc.array(fc.oneof(fragment, fc.string({ maxLength: 3 })), { maxLength: 12 }).map((parts) => `/${parts.join("")}`);

describe("canonicalizePath: properties", () => {
  it("is idempotent and its output is free of every ambiguous spelling", () => {
    fc.assert(
      fc.property(rawPath, (raw) => {
        const first = canonicalizePath(raw);
        if (!first.ok) {
          return;
        }
        const path = first.value.path;
        expect(pathOf(path)).toBe(path);
        expect(path.startsWith("/")).toBe(true);
        for (const bad of ["//", "/./", "/../", "\\", "\u0000", ";", "%", "?", "#"]) {
          expect(path).not.toContain(bad);
        }
        expect(path === "/" || !path.endsWith("/")).toBe(true);
        expect(path.endsWith("/.") || path.endsWith("/..")).toBe(false);
      }),
      { numRuns: 5_000 },
    );
  });

  it("gives a plain path (the shortcut) exactly what the general rules give it", () => {
    // A trailing `?` sends the same path through the general rules with the same empty query.
    const pathFragment = fragment.filter((f) => !f.includes("?") && !f.includes("#"));
    const plain = fc.array(fc.oneof(pathFragment, fc.stringMatching(/^[-A-Za-z0-9._~!$&'()*+,=:@/]{0,4}$/)), { maxLength: 12 });
    fc.assert(
      fc.property(plain, (parts) => {
        const raw = `/${parts.join("")}`;
        expect(canonicalizePath(raw)).toEqual(canonicalizePath(`${raw}?`));
      }),
      { numRuns: 5_000 },
    );
  });

  it("never throws, whatever the input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (raw) => {
        const result = canonicalizePath(raw);
        expect(typeof result.ok).toBe("boolean");
      }),
      { numRuns: 5_000 },
    );
  });
});

// security.md P3: equivalent spellings of a path either canonicalise to that path or are refused.
const plainSegment = fc.stringMatching(/^[A-Za-z0-9:_~-]{1,6}$/);

function respell(segment: string, encodeMask: number, upper: boolean): string {
  return [...segment]
    .map((char, i) => {
      if (((encodeMask >> i) & 1) === 0) {
        return char;
      }
      const hex = char.charCodeAt(0).toString(16).padStart(2, "0");
      return `%${upper ? hex.toUpperCase() : hex}`;
    })
    .join("");
}

const decoration = fc.constantFrom("", ";p", ";a=1;b", "/.", "/x/..", "/./x/..", "/");
const separator = fc.constantFrom("/", "//", "/./", "/zz/../");
const spelling = fc.record({
  segments: fc.array(fc.tuple(plainSegment, fc.nat(63), fc.boolean(), decoration), { minLength: 1, maxLength: 5 }),
  separators: fc.array(separator, { minLength: 5, maxLength: 5 }),
  tail: fc.constantFrom("", "/", "/.", "?q=1", "#f", "/?a=%2F", ";x?y"),
});

describe("canonicalizePath: equivalent spellings", () => {
  it("respellings canonicalise to the plain path", () => {
    fc.assert(
      fc.property(spelling, ({ segments, separators, tail }) => {
        const plain = `/${segments.map(([segment]) => segment).join("/")}`;
        const raw = segments
          .map(([segment, mask, upper, extra], i) => `${separators[i] ?? "/"}${respell(segment, mask, upper)}${extra}`)
          .join("");
        expect(pathOf(`${raw}${tail}`)).toBe(plain);
      }),
      { numRuns: 5_000 },
    );
  });
});
