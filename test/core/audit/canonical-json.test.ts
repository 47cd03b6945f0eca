import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  canonicalSplit,
  joinCanonicalObjects,
  parseCanonical,
  type JsonObject,
  type JsonValue,
} from "../../../src/core/audit/canonical-json.ts";

describe("canonicalJson", () => {
  it.each<[string, JsonValue, string]>([
    ["sorts keys by code unit", { b: 1, a: 2, B: 3, é: 4, "~": 5 }, '{"B":3,"a":2,"b":1,"~":5,"é":4}'],
    ["nests and keeps array order", { z: [3, 1, { y: true, x: null }] }, '{"z":[3,1,{"x":null,"y":true}]}'],
    ["escapes quotes, backslash and C0 controls", 'a"b\\c\nd\u001b[31m', '"a\\"b\\\\c\\nd\\u001b[31m"'],
    ["escapes DEL, C1 controls and line separators", "x\u007f\u009b\u2028\u2029y", '"x\\u007f\\u009b\\u2028\\u2029y"'],
    ["escapes lone surrogates", "a\ud800b", '"a\\ud800b"'],
    ["keeps other non-ASCII as is", "Zoë 日本 😀", '"Zoë 日本 😀"'],
    ["writes negative zero as 0", -0, "0"],
    ["writes empty containers", { a: [], b: {} }, '{"a":[],"b":{}}'],
    // Already in code-unit order as written, but the engine lists integer-like keys numerically.
    ["orders integer-like keys by code unit", { "10": 1, "9": 2 }, '{"10":1,"9":2}'],
    ["escapes DEL and C1 controls in keys and in sorted nested objects", { a: { "\u007f": "\u0085" } }, '{"a":{"\\u007f":"\\u0085"}}'],
    ["writes a Date as the object it is, not by its toJSON", { a: new Date(0) as unknown as JsonValue }, '{"a":{}}'],
  ])("%s", (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ["a fraction", 1.5],
    ["an unsafe integer", 2 ** 53],
    ["NaN", Number.NaN],
    ["undefined inside an object", { a: undefined }],
    ["a hole in an array", [1, , 2]],
    ["a fraction nested in objects whose keys are sorted", { a: { b: [0.5] } }],
  ])("refuses %s (a bug in the caller)", (_name, value) => {
    expect(() => canonicalJson(value as JsonValue)).toThrow();
  });

  const jsonish: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.string({ unit: "binary" }),
      fc.integer(),
      fc.maxSafeInteger(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 4 }),
      // Integer-like keys too: the engine lists those first, in numeric order.
      fc.dictionary(fc.oneof(fc.string({ unit: "binary", maxLength: 6 }), fc.nat(20).map(String)), tie("value"), { maxKeys: 4 }),
    ),
  })).value;

  // Written here from the rule alone, member by member, as the reference the fast path must match.
  const reference = (value: JsonValue): string => {
    if (typeof value === "string")
      return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    if (typeof value !== "object" || value === null) return JSON.stringify(value);
    if (Array.isArray(value)) return `[${value.map(reference).join(",")}]`;
    const object = value as JsonObject;
    return `{${Object.keys(object)
      .sort()
      .map((k) => `${reference(k)}:${reference(object[k] as JsonValue)}`)
      .join(",")}}`;
  };
  // The same value with every object's keys inserted in sorted order: what the fast path takes.
  const sortedCopy = (value: JsonValue): JsonValue => {
    if (typeof value !== "object" || value === null) return value;
    if (Array.isArray(value)) return value.map(sortedCopy);
    const object = value as JsonObject;
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((k) => [k, sortedCopy(object[k] as JsonValue)]),
    );
  };

  it("writes what the rule says, whatever order the keys were inserted in", () => {
    fc.assert(
      fc.property(jsonish, (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
        expect(canonicalJson(sortedCopy(value))).toBe(reference(value));
      }),
      { numRuns: 1000 },
    );
  });

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

describe("canonicalSplit and joinCanonicalObjects", () => {
  const objects = fc.dictionary(
    fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("hash", "hasg", "hasi", "h", "i")),
    fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    { maxKeys: 8, noNullPrototype: true },
  );

  it("give the object's canonical text without the split key, and with a member added there", () => {
    fc.assert(
      fc.property(objects, fc.string(), (object, value) => {
        const { hash: _dropped, ...rest } = object;
        const [below, above] = canonicalSplit(rest, "hash");
        expect(joinCanonicalObjects(below, above)).toBe(canonicalJson(rest));
        expect(joinCanonicalObjects(below, canonicalJson({ hash: value }), above)).toBe(canonicalJson({ ...rest, hash: value }));
      }),
      { numRuns: 500 },
    );
  });

  it.each<[string, JsonObject]>([
    ["the split key itself", { a: 1, hash: "x" }],
    ["a key named __proto__ (it would set the prototype instead)", JSON.parse('{"__proto__":{"a":1}}') as JsonObject],
  ])("refuse an object with %s (a bug in the caller)", (_name, object) => {
    expect(() => canonicalSplit(object, "hash")).toThrow();
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
