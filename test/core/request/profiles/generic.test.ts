import { describe, expect, it } from "vitest";
import type { Expected } from "./resolve-helper.ts";
import { resolveRaw } from "./resolve-helper.ts";

describe("generic profile", () => {
  it.each<[string, string, Expected]>([
    ["GET", "/anything", ["read", "default-model"]],
    ["HEAD", "/", ["read", "default-model"]],
    ["POST", "/predict", ["predict", "default-model"]],
    ["PUT", "/x", ["write", "default-model"]],
    ["PATCH", "/x", ["write", "default-model"]],
    ["DELETE", "/x", ["delete", "default-model"]],
    ["OPTIONS", "/x", ["unknown", "default-model"]],
    ["TRACE", "/x", ["unknown", "default-model"]],
    ["CONNECT", "/x", ["unknown", "default-model"]],
    ["CONSTRUCTOR", "/x", ["unknown", "default-model"]],
    ["__PROTO__", "/x", ["unknown", "default-model"]],
  ])("%s %s → %j", (method, path, expected) => {
    expect(resolveRaw("generic", method, path)).toEqual(expected);
  });

  it("reports no model when none is configured", () => {
    expect(resolveRaw("generic", "POST", "/predict", "")).toEqual(["predict", ""]);
  });

  it("refuses an invalid configured model", () => {
    expect(resolveRaw("generic", "POST", "/predict", "a//b")).toBe("model_invalid");
  });
});
