import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, parseCanonical, type JsonValue } from "../../../src/core/audit/canonical-json.ts";

describe("canonicalJson", () => {
  it.each<[string, JsonValue, string]>([
    ["sorts keys by code unit", { b: 1, a: 2, B: 3, "é": 4, "~": 5 }, '{"B":3,"a":2,"b":1,"~":5,"é":4}'],
    ["nests and keeps array order", { z: [3, 1, { y: true, x: null }] }, '{"z":[3,1,{"x":null,"y":true}]}'],
    ["escapes quotes, backslash and C0 controls", "a\"b\\c\nd\u001b[31m", '"a\\"b\\\\c\\nd\\u001b[31m"'],
    ["escapes DEL, C1 controls and line separators", "x\u007f\u009b\u2028\u2029y", '"x\\u007f\\u009b\\u2028\\u2029y"'],
    ["escapes lone surrogates", "a\ud800b", '"a\\ud800b"'],
    ["keeps other non-ASCII as is", "Zoë 日本 😀", '"Zoë 日本 😀"'],
    ["writes negative zero as 0", -0, "0"],
    ["writes empty containers", { a: [], b: {} }, '{"a":[],"b":{}}'],
  ])("%s", (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ["a fraction", 1.5],
    ["an unsafe integer", 2 ** 53],
    ["NaN", Number.NaN],
    ["undefined inside an object", { a: undefined }],
  ])("refuses %s (a bug in the caller)", (_name, value) => {
    expect(() => canonicalJson(value as JsonValue)).toThrow();
  });

  const jsonish: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.string({ unit: "binary" }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(fc.string({ unit: "binary", maxLength: 6 }), tie("value"), { maxKeys: 4 }),
    ),
  })).value;

  it("round-trips: what it writes parses back to an equal value and is accepted as canonical", () => {
    fc.assert(
      fc.property(jsonish, (value) => {
        const text = canonicalJson(value);
        expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
        const back = parseCanonical(text);
        expect(back.ok).toBe(true);
        if (back.ok) expect(canonicalJson(back.value)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe("parseCanonical", () => {
  it.each([
    ["whitespace", '{"a": 1}'],
    ["unsorted keys", '{"b":1,"a":2}'],
    ["a duplicate key", '{"a":1,"a":1}'],
    ["an exponent", '{"a":1e2}'],
    ["a fraction", '{"a":1.5}'],
    ["an unnecessary escape", '{"a":"\\u0041"}'],
    ["a raw C1 control", '{"a":"\u009b"}'],
    ["truncated JSON", '{"a":1'],
  ])("rejects %s", (_name, text) => {
    expect(parseCanonical(text).ok).toBe(false);
  });

  it("accepts a canonical line", () => {
    expect(parseCanonical('{"a":[1,"x\\n"],"b":null}')).toEqual({ ok: true, value: { a: [1, "x\n"], b: null } });
  });
});
