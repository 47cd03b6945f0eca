import { describe, expect, it } from "vitest";
import type { NormalizedRequest } from "../../../../src/core/request/normalized-request.ts";
import { MAX_JSON_BODY_BYTES } from "../../../../src/core/request/profiles/openai-body.ts";
import { jsonRequest, request } from "../builders.ts";
import type { Expected } from "./resolve-helper.ts";
import { resolveRaw, resolveRequest } from "./resolve-helper.ts";

const resolve = (method: string, path: string, defaultModel = "default-model"): Expected =>
  resolveRaw("openai", method, path, defaultModel);
const resolveJson = (path: string, json: unknown, defaultModel = "default-model", extra: Partial<NormalizedRequest> = {}): Expected =>
  resolveRequest("openai", jsonRequest("POST", path, json, extra), defaultModel);

const INFERENCE = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/responses", "/v1/rerank", "/v1/score"];

describe("openai profile: inference routes take the model from the body", () => {
  it.each(INFERENCE)("POST %s → predict, or stream with stream: true", (path) => {
    expect(resolveJson(path, { model: "llama", messages: [] })).toEqual(["predict", "llama"]);
    expect(resolveJson(path, { model: "llama", stream: false })).toEqual(["predict", "llama"]);
    expect(resolveJson(path, { model: "llama", stream: null })).toEqual(["predict", "llama"]);
    expect(resolveJson(path, { model: "llama", stream: true })).toEqual(["stream", "llama"]);
  });

  it.each(INFERENCE)("GET %s is unknown on the default model", (path) => {
    expect(resolve("GET", path)).toEqual(["unknown", "default-model"]);
  });

  it.each<[string, unknown, Expected]>([
    ["a Hugging Face id", { model: "meta-llama/Llama-3.1-8B-Instruct" }, ["predict", "meta-llama/Llama-3.1-8B-Instruct"]],
    ["a LoRA adapter name", { model: "sql-lora" }, ["predict", "sql-lora"]],
    ["an escaped member name", '{"mod\\u0065l":"llama"}', ["predict", "llama"]],
    ["a nested model member", { metadata: { model: "other" }, model: "llama" }, ["predict", "llama"]],
    ["a model named only inside a nested object", { metadata: { model: "other" } }, ["predict", "default-model"]],
    ["a missing model", { messages: [] }, ["predict", "default-model"]],
    ["a null model", { model: null }, ["predict", "default-model"]],
    ["an empty model", { model: "" }, ["predict", "default-model"]],
    ["a numeric model", { model: 7 }, "body_malformed"],
    ["a list model", { model: ["a", "b"] }, "body_malformed"],
    ["a string stream", { model: "llama", stream: "true" }, "body_malformed"],
    ["a numeric stream", { model: "llama", stream: 1 }, "body_malformed"],
    ["not JSON", "model=llama", "body_malformed"],
    ["truncated JSON", '{"model":"llama"', "body_malformed"],
    ["a JSON list", [{ model: "llama" }], "body_malformed"],
    ["a JSON string", '"llama"', "body_malformed"],
    ["JSON null", "null", "body_malformed"],
    ["an empty body", "", "body_malformed"],
    ["a model with a control character", { model: "lla\u0000ma" }, "model_invalid"],
    ["a model with an empty segment", { model: "meta-llama//x" }, "model_invalid"],
    ["a model with a dot segment", { model: "../etc" }, "model_invalid"],
    ["a model with a lone surrogate", '{"model":"\\ud800"}', "model_invalid"],
    ["a model that is too long", { model: "m".repeat(254) }, "model_invalid"],
  ])("%s → %j", (_name, json, expected) => {
    expect(resolveJson("/v1/chat/completions", json)).toEqual(expected);
  });

  it("needs a model when no default is configured", () => {
    expect(resolveJson("/v1/completions", { prompt: "hi" }, "")).toBe("model_missing");
    expect(resolveJson("/v1/completions", { model: "", prompt: "hi" }, "")).toBe("model_missing");
  });
});

describe("openai profile: duplicate members", () => {
  it.each<[string, string, Expected]>([
    ["two different models", '{"model":"cheap","model":"expensive"}', "model_ambiguous"],
    ["the same model twice", '{"model":"llama","model":"llama"}', ["predict", "llama"]],
    ["the same model spelled with an escape", '{"model":"llama","model":"ll\\u0061ma"}', ["predict", "llama"]],
    ["a disagreeing escaped name", '{"model":"cheap","m\\u006fdel":"expensive"}', "model_ambiguous"],
    ["a model and a null", '{"model":"llama","model":null}', "model_ambiguous"],
    ["models split by nesting", '{"model":"a","x":{"model":"b","y":[1,{"model":"c"}]},"model":"a"}', ["predict", "a"]],
    ["strings holding quotes and braces", '{"p":"\\"}{\\\\","model":"a","q":"\\\\","model":"b"}', "model_ambiguous"],
    ["two different stream flags", '{"model":"a","stream":false,"stream":true}', "body_malformed"],
    ["whitespace everywhere", ' {\n "model" :\t"a" ,\r\n "model" : "b" } ', "model_ambiguous"],
  ])("%s → %j", (_name, json, expected) => {
    expect(resolveJson("/v1/chat/completions", json)).toEqual(expected);
  });
});

describe("openai profile: body availability", () => {
  const chat = (overrides: Partial<NormalizedRequest>): Expected =>
    resolveRequest("openai", jsonRequest("POST", "/v1/chat/completions", { model: "llama" }, overrides));

  it("needs the body", () => {
    expect(chat({ body: undefined })).toBe("body_unavailable");
  });

  it("refuses a partial body even when the model is before the cut", () => {
    expect(chat({ body: { bytes: new TextEncoder().encode('{"model":"llama","messages":[{"ro'), partial: true } })).toBe(
      "body_unavailable",
    );
  });

  it.each<[string, string | undefined, Expected]>([
    ["application/json", "application/json", ["predict", "llama"]],
    ["with a charset", "application/json; charset=utf-8", ["predict", "llama"]],
    ["in upper case", "Application/JSON", ["predict", "llama"]],
    ["no content-type", undefined, "body_malformed"],
    ["text/plain", "text/plain", "body_malformed"],
    ["form data", "application/x-www-form-urlencoded", "body_malformed"],
    ["two joined content-types", "application/json,text/plain", "body_malformed"],
  ])("content-type %s → %j", (_name, type, expected) => {
    const headers = new Map(type === undefined ? [] : [["content-type", type]]);
    expect(chat({ headers })).toEqual(expected);
  });

  // The server (or a decompressing proxy in front of it) reads the decoded body; we would read
  // the compressed bytes, so a model inside could differ from the one we authorise.
  it.each<[string, Expected]>([
    ["identity", ["predict", "llama"]],
    [" Identity ", ["predict", "llama"]],
    ["gzip", "body_malformed"],
    ["deflate", "body_malformed"],
    ["br", "body_malformed"],
    ["zstd", "body_malformed"],
    ["gzip, identity", "body_malformed"],
    ["", "body_malformed"],
  ])("content-encoding %j → %j", (encoding, expected) => {
    const headers = new Map([
      ["content-type", "application/json"],
      ["content-encoding", encoding],
    ]);
    expect(chat({ headers })).toEqual(expected);
  });

  it("refuses invalid UTF-8", () => {
    expect(chat({ body: { bytes: new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), partial: false } })).toBe(
      "body_malformed",
    );
  });

  it("refuses a body over the size limit without parsing it", () => {
    const bytes = new Uint8Array(MAX_JSON_BODY_BYTES + 1).fill(0x20);
    expect(chat({ body: { bytes, partial: false } })).toBe("body_malformed");
  });

  it("reads a large body", () => {
    const json = { model: "llama", input: Array.from({ length: 50_000 }, (_, i) => `token "${i}" {}[]\\`) };
    expect(resolveJson("/v1/embeddings", json)).toEqual(["predict", "llama"]);
  });
});

describe("openai profile: models routes", () => {
  it.each<[string, string, Expected]>([
    ["GET", "/v1/models", ["list", ""]],
    ["GET", "/v1/models/llama", ["read", "llama"]],
    ["GET", "/v1/models/meta-llama/Llama-3.1-8B", ["read", "meta-llama/Llama-3.1-8B"]],
    ["POST", "/v1/models/llama/load", ["admin", "llama"]],
    ["POST", "/v1/models/llama/unload", ["admin", "llama"]],
    ["GET", "/v1/models/llama/load", ["read", "llama/load"]],
    ["POST", "/v1/models", ["unknown", ""]],
    ["DELETE", "/v1/models/llama", ["unknown", "llama"]],
    ["POST", "/v1/models/llama", ["unknown", "llama"]],
    ["GET", "/v1/models/llama%3Aq4", ["read", "llama:q4"]],
  ])("%s %s → %j", (method, path, expected) => {
    expect(resolve(method, path)).toEqual(expected);
  });

  it("refuses a compressed JSON body on a route whose model is in the path (it could name another model)", () => {
    const compressed = (encoding: string) =>
      resolveRequest(
        "openai",
        jsonRequest(
          "POST",
          "/v1/models/llama/load",
          { model: "llama" },
          {
            headers: new Map([
              ["content-type", "application/json"],
              ["content-encoding", encoding],
            ]),
          },
        ),
      );
    expect(compressed("gzip")).toBe("body_malformed");
    expect(compressed("identity")).toEqual(["admin", "llama"]);
  });

  it("refuses a body naming another model than the path", () => {
    expect(resolveRequest("openai", jsonRequest("POST", "/v1/models/llama/load", { model: "other" }))).toBe("model_ambiguous");
  });

  it("accepts a body naming the path's model", () => {
    expect(resolveRequest("openai", jsonRequest("POST", "/v1/models/llama/load", { model: "llama" }))).toEqual(["admin", "llama"]);
  });

  it("ignores a body that is not JSON on a path-model route", () => {
    const req = jsonRequest("POST", "/v1/models/llama/unload", "x", { headers: new Map([["content-type", "text/plain"]]) });
    expect(resolveRequest("openai", req)).toEqual(["admin", "llama"]);
  });

  it("refuses a partial JSON body on a path-model route", () => {
    const req = jsonRequest("POST", "/v1/models/llama/load", { model: "llama" }, {});
    const partial = { ...req, body: { bytes: req.body?.bytes ?? new Uint8Array(), partial: true } };
    expect(resolveRequest("openai", partial)).toBe("body_unavailable");
  });

  it("refuses malformed JSON on a path-model route", () => {
    expect(resolveRequest("openai", jsonRequest("POST", "/v1/models/llama/load", "{"))).toBe("body_malformed");
  });
});

describe("openai profile: tokenizer, health and admin routes", () => {
  it.each(["/tokenize", "/detokenize", "/v1/tokenize", "/v1/detokenize"])("POST %s is a read of the body's model", (path) => {
    expect(resolveJson(path, { model: "llama", prompt: "hi" })).toEqual(["read", "llama"]);
    expect(resolveJson(path, { prompt: "hi" })).toEqual(["read", "default-model"]);
    expect(resolveJson(path, { prompt: "hi" }, "")).toEqual(["read", ""]);
    expect(resolveRequest("openai", request({ method: "POST", path }))).toBe("body_unavailable");
  });

  it.each(["/health", "/ping", "/v1/health", "/health/ready"])("GET %s is health", (path) => {
    expect(resolve("GET", path)).toEqual(["health", ""]);
    expect(resolve("POST", path)).toEqual(["unknown", ""]);
  });

  it.each([
    "/v1/load_lora_adapter",
    "/v1/unload_lora_adapter",
    "/load_lora_adapter",
    "/pause",
    "/resume",
    "/sleep",
    "/wake_up",
    "/collective_rpc",
    "/reset_prefix_cache",
    "/start_profile",
    "/stop_profile",
    "/update_weights",
    "/update_weights_from_disk",
    "/flush_cache",
    "/release_memory_occupation",
    "/abort_request",
    "/set_internal_state",
  ])("%s is admin whatever the method", (path) => {
    for (const method of ["GET", "POST", "PUT", "DELETE"]) {
      expect(resolve(method, path)).toEqual(["admin", "default-model"]);
    }
    expect(resolve("GET", `/${path.slice(1)}/`)).toEqual(["admin", "default-model"]);
    expect(resolve("GET", `//x/..${path}`)).toEqual(["admin", "default-model"]);
  });

  it.each<[string, string]>([
    ["GET", "/metrics"],
    ["GET", "/version"],
    ["POST", "/invocations"],
    ["POST", "/v1/audio/voices"],
    ["GET", "/v1/responses/resp_123"],
    ["POST", "/chat/completions"],
    ["POST", "/openai/chat/completions"],
    ["POST", "/openai/v2/chat/completions"],
    ["GET", "/get_server_info"],
    ["POST", "/V1/chat/completions"],
  ])("%s %s is unknown on the default model", (method, path) => {
    expect(resolve(method, path)).toEqual(["unknown", "default-model"]);
  });
});

describe("openai profile: KServe's /openai prefix", () => {
  it.each(INFERENCE)("POST /openai%s resolves like the plain route", (path) => {
    expect(resolveJson(`/openai${path}`, { model: "llama", stream: true })).toEqual(resolveJson(path, { model: "llama", stream: true }));
  });

  it.each<[string, string, Expected]>([
    ["GET", "/openai/v1/models", ["list", ""]],
    ["GET", "/openai/v1/models/llama", ["read", "llama"]],
  ])("%s %s", (method, path, expected) => {
    expect(resolve(method, path)).toEqual(expected);
  });
});

// Uploads encoded by a real form encoder (undici's FormData through a Request), as clients send them.
async function form(fields: readonly (readonly [string, string | Blob])[]): Promise<{ bytes: Uint8Array; contentType: string }> {
  const data = new FormData();
  for (const [name, value] of fields) data.append(name, value, ...(value instanceof Blob ? ["audio.wav"] : []));
  const encoded = new Request("http://x/", { method: "POST", body: data });
  return { bytes: new Uint8Array(await encoded.arrayBuffer()), contentType: encoded.headers.get("content-type") ?? "" };
}

function formRequest(path: string, body: { bytes: Uint8Array; contentType: string }, partial = false): NormalizedRequest {
  return request({ method: "POST", path, headers: new Map([["content-type", body.contentType]]), body: { bytes: body.bytes, partial } });
}

const FORM = ["/v1/audio/transcriptions", "/v1/audio/translations", "/v1/images/edits", "/v1/images/variations"];
const audio = new Blob([new Uint8Array([0x52, 0x49, 0x46, 0x46, 13, 10, 45, 45, 0xff, 0x00])]);

describe("openai profile: uploads name the model in a form field", () => {
  it.each(FORM)("POST %s → predict on the form's model, after the file part too", async (path) => {
    expect(
      resolveRequest(
        "openai",
        formRequest(
          path,
          await form([
            ["file", audio],
            ["model", "whisper-1"],
          ]),
        ),
        "default-model",
      ),
    ).toEqual(["predict", "whisper-1"]);
    expect(
      resolveRequest(
        "openai",
        formRequest(
          path,
          await form([
            ["model", "whisper-1"],
            ["file", audio],
          ]),
        ),
        "default-model",
      ),
    ).toEqual(["predict", "whisper-1"]);
  });

  it.each<[string, readonly (readonly [string, string | Blob])[], Expected]>([
    [
      "stream=true",
      [
        ["model", "whisper-1"],
        ["stream", "true"],
        ["file", audio],
      ],
      ["stream", "whisper-1"],
    ],
    ["no model field", [["file", audio]], ["predict", "default-model"]],
    [
      "the same model twice (FastAPI reads the last, Node the first)",
      [
        ["model", "w"],
        ["model", "w"],
      ],
      "model_ambiguous",
    ],
    [
      "stream twice",
      [
        ["model", "w"],
        ["stream", "true"],
        ["stream", "true"],
      ],
      "body_malformed",
    ],
    [
      "two different models",
      [
        ["model", "w"],
        ["file", audio],
        ["model", "secret"],
      ],
      "model_ambiguous",
    ],
    [
      "stream=yes",
      [
        ["model", "w"],
        ["stream", "yes"],
      ],
      "body_malformed",
    ],
    ["a model with a `..` segment", [["model", "a/../b"]], "model_invalid"],
  ])("%s", async (_name, fields, expected) => {
    expect(resolveRequest("openai", formRequest("/v1/audio/transcriptions", await form(fields)), "default-model")).toEqual(expected);
  });

  it.each<[string, (b: { bytes: Uint8Array; contentType: string }) => NormalizedRequest, string]>([
    ["a body Envoy cut short", (b) => formRequest("/v1/audio/transcriptions", b, true), "body_unavailable"],
    [
      "no closing boundary",
      (b) => formRequest("/v1/audio/transcriptions", { ...b, bytes: b.bytes.subarray(0, b.bytes.length - 8) }),
      "body_malformed",
    ],
    [
      "JSON sent to an upload route",
      () => formRequest("/v1/audio/transcriptions", { bytes: new TextEncoder().encode('{"model":"w"}'), contentType: "application/json" }),
      "body_malformed",
    ],
    [
      "a compressed upload",
      (b) =>
        request({
          ...formRequest("/v1/audio/transcriptions", b),
          headers: new Map([
            ["content-type", b.contentType],
            ["content-encoding", "br"],
          ]),
        }),
      "body_malformed",
    ],
    [
      "a boundary that does not open the body",
      (b) => formRequest("/v1/audio/transcriptions", { ...b, bytes: new Uint8Array([0x78, ...b.bytes]) }),
      "body_malformed",
    ],
  ])("refuses %s", async (_name, build, reason) => {
    expect(
      resolveRequest(
        "openai",
        build(
          await form([
            ["model", "w"],
            ["file", audio],
          ]),
        ),
        "default-model",
      ),
    ).toEqual(reason);
  });

  it("reads /v1/audio/speech and /v1/images/generations from JSON", () => {
    expect(resolveJson("/v1/audio/speech", { model: "tts-1", input: "hi" })).toEqual(["predict", "tts-1"]);
    expect(resolveJson("/v1/images/generations", { model: "dall-e" })).toEqual(["predict", "dall-e"]);
  });
});
