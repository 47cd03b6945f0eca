import { describe, expect, it } from "vitest";
import { request } from "../builders.ts";
import type { Expected } from "./resolve-helper.ts";
import { resolveRaw, resolveRequest } from "./resolve-helper.ts";

const resolve = (method: string, path: string): Expected => resolveRaw("torchserve", method, path);

describe("torchserve profile: inference API", () => {
  it.each<[string, string, Expected]>([
    ["POST", "/predictions/resnet", ["predict", "resnet"]],
    ["PUT", "/predictions/resnet", ["predict", "resnet"]],
    ["POST", "/predictions/resnet/2.0", ["predict", "resnet", "2.0"]],
    ["POST", "/predictions/resnet/2.0/extra/segments", ["predict", "resnet", "2.0"]],
    ["OPTIONS", "/predictions/resnet", ["read", "resnet"]],
    ["GET", "/predictions/resnet", ["unknown", "resnet"]],
    ["DELETE", "/predictions/resnet/2.0", ["unknown", "resnet", "2.0"]],
    ["POST", "/explanations/resnet", ["explain", "resnet"]],
    ["PUT", "/explanations/resnet/1", ["explain", "resnet", "1"]],
    ["GET", "/explanations/resnet", ["unknown", "resnet"]],
    ["GET", "/ping", ["health", ""]],
    ["POST", "/ping", ["unknown", ""]],
    ["POST", "/predictions", ["unknown", "default-model"]],
    ["GET", "/ping/x", ["unknown", "default-model"]],
  ])("%s %s → %j", (method, path, expected) => {
    expect(resolve(method, path)).toEqual(expected);
  });
});

describe("torchserve profile: management API", () => {
  it.each<[string, string, Expected]>([
    ["GET", "/models", ["list", ""]],
    ["GET", "/models?limit=10&next_page_token=2", ["list", ""]],
    ["GET", "/models/resnet", ["read", "resnet"]],
    ["GET", "/models/resnet/2.0", ["read", "resnet", "2.0"]],
    ["GET", "/models/resnet/all", ["read", "resnet", "all"]],
    ["PUT", "/models/resnet?min_worker=3", ["admin", "resnet"]],
    ["PUT", "/models/resnet/2.0", ["admin", "resnet", "2.0"]],
    ["PUT", "/models/resnet/2.0/set-default", ["admin", "resnet", "2.0"]],
    ["DELETE", "/models/resnet", ["admin", "resnet"]],
    ["DELETE", "/models/resnet/2.0", ["admin", "resnet", "2.0"]],
    ["POST", "/models?url=resnet.mar&model_name=resnet", ["admin", "resnet"]],
    ["POST", "/models?url=https://example.com/x.mar", ["admin", "default-model"]],
    ["POST", "/models?model_name=a&model_name=a", ["admin", "a"]],
    ["POST", "/models?model_name=a&model_name=b", "model_ambiguous"],
    ["POST", "/models?model_name=a/../b", "model_invalid"],
    ["POST", "/models/resnet", ["unknown", "resnet"]],
    ["PATCH", "/models/resnet/2.0", ["unknown", "resnet", "2.0"]],
    ["DELETE", "/models", ["unknown", ""]],
    ["GET", "/models/resnet/2.0/set-default", ["unknown", "resnet", "2.0"]],
    ["POST", "/models/resnet/invoke", ["unknown", "resnet", "invoke"]],
    ["GET", "/models/resnet/2.0/x", ["unknown", "default-model"]],
  ])("%s %s → %j", (method, path, expected) => {
    expect(resolve(method, path)).toEqual(expected);
  });

  it("reads model_name from the query", () => {
    const query = new Map([["model_name", ["bert"]]]);
    expect(resolveRequest("torchserve", request({ method: "POST", path: "/models", query }))).toEqual(["admin", "bert"]);
  });
});

describe("torchserve profile: KServe shims", () => {
  it.each<[string, string, Expected]>([
    ["POST", "/v1/models/resnet:predict", ["predict", "resnet"]],
    ["POST", "/v1/models/resnet:explain", ["explain", "resnet"]],
    ["POST", "/v1/models/resnet%3Apredict", ["predict", "resnet"]],
    ["GET", "/v1/models/resnet:predict", ["unknown", "resnet"]],
    ["POST", "/v1/models/resnet:explain:predict", "model_invalid"],
    ["POST", "/v1/models/a:b:predict", "model_invalid"],
    ["POST", "/v1/models/resnet:predictXYZ", ["unknown", "default-model"]],
    ["POST", "/v1/models/resnet", ["unknown", "default-model"]],
    ["POST", "/v2/models/resnet/infer", ["predict", "resnet"]],
    ["POST", "/v2/models/resnet/explain", ["explain", "resnet"]],
    ["GET", "/v2/models/resnet/infer", ["unknown", "resnet"]],
    ["POST", "/v2/models/resnet/ready", ["unknown", "resnet"]],
    ["POST", "/v2/models/a:b/infer", "model_invalid"],
    ["POST", "/v2/models/resnet/versions/1/infer", ["unknown", "default-model"]],
  ])("%s %s → %j", (method, path, expected) => {
    expect(resolve(method, path)).toEqual(expected);
  });
});

describe("torchserve profile: routes left to explicit rules", () => {
  it.each<[string, string]>([
    ["POST", "/invocations"],
    ["POST", "/resnet/predict"],
    ["POST", "/resnet/1/predict"],
    ["POST", "/wfpredict/flow"],
    ["GET", "/api-description"],
    ["GET", "/metrics"],
    ["GET", "/workflows"],
  ])("%s %s is unknown on the default model", (method, path) => {
    expect(resolve(method, path)).toEqual(["unknown", "default-model"]);
  });
});

describe("torchserve profile: spellings of one route", () => {
  it.each([
    "/predictions/resnet",
    "/predictions/resnet/",
    "//predictions//resnet",
    "/predictions/./resnet",
    "/x/../predictions/resnet",
    "/predictions/resnet;v=1",
    "/predictions/%72esnet",
    "/predictions/resnet?x=1",
  ])("%s is a predict of resnet", (path) => {
    expect(resolve("POST", path)).toEqual(["predict", "resnet"]);
  });

  it("refuses an encoded slash that Netty would decode into a segment break", () => {
    expect(resolve("POST", "/predictions/resnet%2F..%2F..%2Fmodels")).toBe("path_invalid");
  });
});
