import { describe, expect, it } from "vitest";
import { param, parseSfList, SfParseError } from "./structured-field.ts";

// The test helper must itself be strict, or the RateLimit header tests prove nothing.
describe("parseSfList (test helper)", () => {
  it("parses the draft's examples", () => {
    const policy = parseSfList('"burst";q=100;w=60,"daily";q=1000;w=86400');
    expect(policy).toEqual([
      {
        value: { type: "string", value: "burst" },
        params: [
          ["q", { type: "integer", value: 100 }],
          ["w", { type: "integer", value: 60 }],
        ],
      },
      {
        value: { type: "string", value: "daily" },
        params: [
          ["q", { type: "integer", value: 1000 }],
          ["w", { type: "integer", value: 86400 }],
        ],
      },
    ]);
    const limit = parseSfList('"default";r=50;t=30');
    expect(limit).toHaveLength(1);
    expect(param(limit[0]!, "r")).toEqual({ type: "integer", value: 50 });
  });

  it.each<[string, string, unknown[]]>([
    ["spaces around members", '  "a";q=1 ,\t"b";q=2  ', ["a", "b"]],
    ["a token item", "tok;x=1", ["tok"]],
    ["escaped quote and backslash", '"a\\"b\\\\c"', ['a"b\\c']],
    ["an empty field is an empty list", "", []],
    ["a boolean parameter without a value", '"a";flag', ["a"]],
  ])("accepts %s", (_name, text, names) => {
    expect(parseSfList(text).map((i) => i.value.value)).toEqual(names);
  });

  it("reads parameter value types", () => {
    const [item] = parseSfList('"a";n=-3;s="x";t=tok;b=?0;f');
    expect(item?.params).toEqual([
      ["n", { type: "integer", value: -3 }],
      ["s", { type: "string", value: "x" }],
      ["t", { type: "token", value: "tok" }],
      ["b", { type: "boolean", value: false }],
      ["f", { type: "boolean", value: true }],
    ]);
  });

  it.each<[string, string]>([
    ["a trailing comma", '"a";q=1,'],
    ["an empty member", '"a",,"b"'],
    ["an unterminated string", '"abc'],
    ["an unknown escape", '"a\\nb"'],
    ["a raw control character in a string", '"a\u0001b"'],
    ["non-ASCII", '"zoë"'],
    ["a decimal", '"a";q=1.5'],
    ["a 16-digit integer", '"a";q=1234567890123456'],
    ["an upper-case key", '"a";Q=1'],
    ["a key starting with a digit", '"a";1=1'],
    ["a space before '='", '"a";q =1'],
    ["a space after '='", '"a";q= 1'],
    ["an inner list", '("a" "b")'],
    ["a byte sequence", ":AQID:"],
    ["garbage after an item", '"a";q=1 x'],
    ["a bad boolean", '"a";b=?2'],
    ["a missing parameter value", '"a";q='],
    ["a leading tab", '\t"a"'],
  ])("rejects %s", (_name, text) => {
    expect(() => parseSfList(text)).toThrow(SfParseError);
  });

  it("param() rejects a parameter given twice", () => {
    const [item] = parseSfList('"a";q=1;q=2');
    expect(() => param(item!, "q")).toThrow(SfParseError);
    expect(param(item!, "w")).toBeUndefined();
  });
});
