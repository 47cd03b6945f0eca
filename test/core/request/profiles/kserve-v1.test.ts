import { describe, expect, it } from "vitest";
import type { Expected } from "./resolve-helper.ts";
import { resolveRaw } from "./resolve-helper.ts";

const resolve = (method: string, path: string): Expected => resolveRaw("kserve-v1", method, path);

describe("kserve-v1 profile: rows", () => {
  it.each<[string, string, Expected]>([
    ["GET", "/", ["health", ""]],
    ["GET", "/v1/models", ["list", ""]],
    ["GET", "/v1/models/fraud", ["read", "fraud"]],
    ["POST", "/v1/models/fraud:predict", ["predict", "fraud"]],
    ["POST", "/v1/models/fraud:explain", ["explain", "fraud"]],
    ["POST", "/v1/models/fraud.v2_x-y:predict", ["predict", "fraud.v2_x-y"]],
  ])("%s %s → %j", (method, path, expected) => {
    expect(resolve(method, path)).toEqual(expected);
  });
});

describe("kserve-v1 profile: methods outside a row are unknown on the row's model", () => {
  it.each<[string, string, Expected]>([
    ["POST", "/", ["unknown", ""]],
    ["HEAD", "/", ["unknown", ""]],
    ["POST", "/v1/models", ["unknown", ""]],
    ["DELETE", "/v1/models/fraud", ["unknown", "fraud"]],
    ["GET", "/v1/models/fraud:predict", ["unknown", "fraud"]],
    ["PUT", "/v1/models/fraud:predict", ["unknown", "fraud"]],
    ["GET", "/v1/models/fraud:explain", ["unknown", "fraud"]],
  ])("%s %s → %j", (method, path, expected) => {
    expect(resolve(method, path)).toEqual(expected);
  });
});

describe("kserve-v1 profile: spellings of one route", () => {
  it.each([
    "/v1/models/fraud:predict",
    "/v1/models/fraud%3Apredict",
    "/v1/models/fraud%3apredict",
    "//v1/models//fraud:predict",
    "/v1/./models/fraud:predict/",
    "/v1/x/../models/fraud:predict",
    "/v1/models/fraud:predict;jsessionid=1",
    "/v1/models/fraud:predict?verbose=1",
    "/v1/models/%66raud:predict",
  ])("%s is a predict of fraud", (path) => {
    expect(resolve("POST", path)).toEqual(["predict", "fraud"]);
  });

  it.each(["/v1/models/fraud%2F..%2Fadmin:predict", "/v1/models/fraud%00:predict", "/v1\\models/fraud:predict"])(
    "%s is refused",
    (path) => {
      expect(resolve("POST", path)).toBe("path_invalid");
    },
  );

  it("is case-sensitive", () => {
    expect(resolve("POST", "/V1/models/fraud:predict")).toEqual(["unknown", "default-model"]);
    expect(resolve("POST", "/v1/models/fraud:PREDICT")).toBe("model_invalid");
  });
});

describe("kserve-v1 profile: colons (KServe last-suffix vs TorchServe first-colon)", () => {
  it.each<[string, string, Expected]>([
    ["POST", "/v1/models/a:b:predict", "model_invalid"],
    ["POST", "/v1/models/m:explain:predict", "model_invalid"],
    ["POST", "/v1/models/m:predict:explain", "model_invalid"],
    ["POST", "/v1/models/m:predictXYZ", "model_invalid"],
    ["POST", "/v1/models/:predict", "model_invalid"],
    ["GET", "/v1/models/a:b", "model_invalid"],
  ])("%s %s → %j", (method, path, expected) => {
    expect(resolve(method, path)).toEqual(expected);
  });
});

describe("kserve-v1 profile: anything else is unknown on the default model", () => {
  it.each<[string, string]>([
    ["GET", "/metrics"],
    ["POST", "/v1/models/fraud/predict"],
    ["POST", "/v1/models/fraud:predict/extra"],
    ["GET", "/v2/models/fraud"],
    ["POST", "/v1/fraud:predict"],
    ["POST", "/predict"],
  ])("%s %s", (method, path) => {
    expect(resolve(method, path)).toEqual(["unknown", "default-model"]);
  });
});
