import { describe, expect, it } from "vitest";
import type { Expected } from "./resolve-helper.ts";
import { resolveRaw } from "./resolve-helper.ts";

const resolve = (method: string, path: string): Expected => resolveRaw("open-inference-v2", method, path);

describe("open-inference-v2 profile: server routes", () => {
  it.each<[string, string, Expected]>([
    ["GET", "/v2", ["read", ""]],
    ["GET", "/v2/health/live", ["health", ""]],
    ["GET", "/v2/health/ready", ["health", ""]],
    ["GET", "/v2/models", ["list", ""]],
    ["GET", "/v2/models/stats", ["stats", ""]],
    ["POST", "/v2/repository/index", ["list", ""]],
    ["POST", "/v2/repository/main/index", ["list", ""]],
    ["POST", "/v2/repository/models/fraud/load", ["admin", "fraud"]],
    ["POST", "/v2/repository/models/fraud/unload", ["admin", "fraud"]],
    ["POST", "/v2/repository/main/models/fraud/load", ["admin", "fraud"]],
    ["GET", "/v2/trace/setting", ["read", ""]],
    ["POST", "/v2/trace/setting", ["admin", ""]],
    ["GET", "/v2/logging", ["read", ""]],
    ["POST", "/v2/logging", ["admin", ""]],
    ["GET", "/v2/systemsharedmemory/status", ["read", ""]],
    ["GET", "/v2/systemsharedmemory/region/r0/status", ["read", ""]],
    ["POST", "/v2/systemsharedmemory/register", ["admin", ""]],
    ["POST", "/v2/systemsharedmemory/region/r0/register", ["admin", ""]],
    ["POST", "/v2/systemsharedmemory/region/r0/unregister", ["admin", ""]],
    ["POST", "/v2/systemsharedmemory/unregister", ["admin", ""]],
    ["GET", "/v2/cudasharedmemory/status", ["read", ""]],
    ["GET", "/v2/cudasharedmemory/region/gpu0/status", ["read", ""]],
    ["POST", "/v2/cudasharedmemory/region/gpu0/register", ["admin", ""]],
    ["POST", "/v2/cudasharedmemory/unregister", ["admin", ""]],
  ])("%s %s → %j", (method, path, expected) => {
    expect(resolve(method, path)).toEqual(expected);
  });
});

describe("open-inference-v2 profile: model routes", () => {
  it.each<[string, string, Expected]>([
    ["GET", "/v2/models/fraud", ["read", "fraud"]],
    ["GET", "/v2/models/fraud/versions/3", ["read", "fraud", "3"]],
    ["GET", "/v2/models/fraud/ready", ["health", "fraud"]],
    ["GET", "/v2/models/fraud/versions/3/ready", ["health", "fraud", "3"]],
    ["POST", "/v2/models/fraud/infer", ["predict", "fraud"]],
    ["POST", "/v2/models/fraud/versions/3/infer", ["predict", "fraud", "3"]],
    ["POST", "/v2/models/fraud/generate", ["predict", "fraud"]],
    ["POST", "/v2/models/fraud/versions/3/generate", ["predict", "fraud", "3"]],
    ["POST", "/v2/models/fraud/generate_stream", ["stream", "fraud"]],
    ["POST", "/v2/models/fraud/versions/3/generate_stream", ["stream", "fraud", "3"]],
    ["POST", "/v2/models/fraud/infer_stream", ["stream", "fraud"]],
    ["POST", "/v2/models/fraud/explain", ["explain", "fraud"]],
    ["GET", "/v2/models/fraud/config", ["read", "fraud"]],
    ["GET", "/v2/models/fraud/versions/3/config", ["read", "fraud", "3"]],
    ["GET", "/v2/models/fraud/stats", ["stats", "fraud"]],
    ["GET", "/v2/models/fraud/versions/3/stats", ["stats", "fraud", "3"]],
    ["GET", "/v2/models/fraud/trace/setting", ["read", "fraud"]],
    ["POST", "/v2/models/fraud/trace/setting", ["admin", "fraud"]],
    ["POST", "/v2/models/stats/infer", ["predict", "stats"]],
    ["POST", "/v2/models/fraud/versions/latest/infer", ["predict", "fraud", "latest"]],
    ["POST", "/v2/models/m%3Ainfer/infer", ["predict", "m:infer"]],
  ])("%s %s → %j", (method, path, expected) => {
    expect(resolve(method, path)).toEqual(expected);
  });
});

describe("open-inference-v2 profile: methods outside a row's set are unknown", () => {
  it.each<[string, string, Expected]>([
    ["GET", "/v2/models/fraud/infer", ["unknown", "fraud"]],
    ["PUT", "/v2/models/fraud/infer", ["unknown", "fraud"]],
    ["GET", "/v2/models/fraud/versions/3/generate_stream", ["unknown", "fraud", "3"]],
    ["POST", "/v2/models/fraud", ["unknown", "fraud"]],
    ["HEAD", "/v2/models/fraud", ["unknown", "fraud"]],
    ["DELETE", "/v2/models/fraud/ready", ["unknown", "fraud"]],
    ["POST", "/v2/models/fraud/config", ["unknown", "fraud"]],
    ["DELETE", "/v2/models/fraud/trace/setting", ["unknown", "fraud"]],
    ["POST", "/v2", ["unknown", ""]],
    ["POST", "/v2/health/ready", ["unknown", ""]],
    ["POST", "/v2/models", ["unknown", ""]],
    ["POST", "/v2/models/stats", ["unknown", ""]],
    ["GET", "/v2/repository/index", ["unknown", ""]],
    ["GET", "/v2/repository/models/fraud/load", ["unknown", "fraud"]],
    ["PUT", "/v2/logging", ["unknown", ""]],
    ["GET", "/v2/systemsharedmemory/register", ["unknown", ""]],
    ["POST", "/v2/cudasharedmemory/status", ["unknown", ""]],
  ])("%s %s → %j", (method, path, expected) => {
    expect(resolve(method, path)).toEqual(expected);
  });
});

describe("open-inference-v2 profile: unknown kinds and shapes", () => {
  it.each<[string, string, Expected]>([
    ["POST", "/v2/models/fraud/train", ["unknown", "fraud"]],
    ["GET", "/v2/models/fraud/docs", ["unknown", "fraud"]],
    ["POST", "/v2/models/fraud/versions", ["unknown", "fraud"]],
    ["GET", "/v2/models/fraud/versions/3/trace/setting", ["unknown", "fraud", "3"]],
    ["POST", "/v2/models/fraud/infer/extra", ["unknown", "fraud"]],
    ["GET", "/v2/health", ["unknown", "default-model"]],
    ["GET", "/v2/health/live/x", ["unknown", "default-model"]],
    ["POST", "/v2/repository/models/fraud/delete", ["unknown", "default-model"]],
    ["POST", "/v2/repository/a/b/models/fraud/load", ["unknown", "default-model"]],
    ["GET", "/v2/systemsharedmemory/region/status", ["unknown", "default-model"]],
    ["GET", "/v2/constructor", ["unknown", "default-model"]],
    ["GET", "/v2/__proto__", ["unknown", "default-model"]],
    ["GET", "/metrics", ["unknown", "default-model"]],
    ["POST", "/v1/models/fraud:predict", ["unknown", "default-model"]],
    ["GET", "/V2/health/live", ["unknown", "default-model"]],
  ])("%s %s → %j", (method, path, expected) => {
    expect(resolve(method, path)).toEqual(expected);
  });
});

describe("open-inference-v2 profile: spellings of one route", () => {
  it.each([
    "/v2/models/fraud/infer",
    "/v2/models/fraud/infer/",
    "//v2//models/fraud/infer",
    "/v2/models/./fraud/infer",
    "/v2/models/other/../fraud/infer",
    "/v2/models/fraud;x=1/infer",
    "/v2/models/fraud/%69nfer",
    "/v2/models/fraud/infer?x=1",
    "/v2/models/fraud/infer#frag",
  ])("%s is a predict of fraud", (path) => {
    expect(resolve("POST", path)).toEqual(["predict", "fraud"]);
  });

  it.each(["/v2/models/fraud%2Finfer", "/v2/models/fraud%2finfer", "/v2/models/a%252Fb/infer", "/v2/models/a%5Cb/infer"])(
    "%s is refused",
    (path) => {
      expect(resolve("POST", path)).toBe("path_invalid");
    },
  );

  it("keeps the model name's case", () => {
    expect(resolve("POST", "/v2/models/Fraud/infer")).toEqual(["predict", "Fraud"]);
  });

  it("refuses a model name longer than 253 characters", () => {
    expect(resolve("POST", `/v2/models/${"m".repeat(254)}/infer`)).toBe("model_invalid");
    expect(resolve("POST", `/v2/models/${"m".repeat(253)}/infer`)).toEqual(["predict", "m".repeat(253)]);
  });
});
