import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import type { NormalizedRequest } from "../../../../src/core/request/normalized-request.ts";
import { resolveTarget } from "../../../../src/core/request/profiles/resolve-target.ts";
import { request } from "../builders.ts";

// Open Inference Protocol over gRPC: messages encoded by a real protobuf encoder (protobufjs,
// from the OIP proto's field numbers), framed as gRPC puts them on the wire and Envoy forwards
// them (pack_as_bytes), resolved by the schema-less scanner.

const root = protobuf.Root.fromJSON({
  nested: {
    InferInputTensor: {
      fields: { name: { type: "string", id: 1 }, datatype: { type: "string", id: 2 }, shape: { rule: "repeated", type: "int64", id: 3 } },
    },
    ModelInferRequest: {
      fields: {
        model_name: { type: "string", id: 1 },
        model_version: { type: "string", id: 2 },
        id: { type: "string", id: 3 },
        inputs: { rule: "repeated", type: "InferInputTensor", id: 5 },
        raw_input_contents: { rule: "repeated", type: "bytes", id: 7 },
      },
    },
    ModelMetadataRequest: { fields: { name: { type: "string", id: 1 }, version: { type: "string", id: 2 } } },
    RepositoryModelLoadRequest: { fields: { repository_name: { type: "string", id: 1 }, model_name: { type: "string", id: 2 } } },
  },
});

function encode(type: string, value: Record<string, unknown>): Uint8Array {
  const message = root.lookupType(type);
  return message.encode(message.fromObject(value)).finish();
}

function frame(...messages: Uint8Array[]): Uint8Array {
  const parts = messages.map((m) => {
    const header = new Uint8Array(5);
    new DataView(header.buffer).setUint32(1, m.length);
    return Buffer.concat([header, m]);
  });
  return new Uint8Array(Buffer.concat(parts));
}

const INFER = "/inference.GRPCInferenceService/ModelInfer";
const infer = {
  model_name: "fraud-detector",
  model_version: "3",
  id: "r1",
  inputs: [{ name: "x", datatype: "FP32", shape: [1, 4] }],
  raw_input_contents: [new Uint8Array([1, 2, 3, 4])],
};

function grpc(path: string, body: Uint8Array | undefined, extra: Partial<NormalizedRequest> = {}): NormalizedRequest {
  return request({
    method: "POST",
    path,
    headers: new Map([["content-type", "application/grpc"]]),
    body: body === undefined ? undefined : { bytes: body, partial: false },
    ...extra,
  });
}

function resolve(req: NormalizedRequest, defaultModel = "default-model"): unknown {
  const result = resolveTarget(req, "open-inference-v2", defaultModel);
  return result.ok ? [result.value.action, result.value.model, result.value.version] : result.error.reason;
}

describe("open-inference-v2 over gRPC", () => {
  it.each<[string, NormalizedRequest, unknown]>([
    [
      "ModelInfer: model and version from fields 1 and 2",
      grpc(INFER, frame(encode("ModelInferRequest", infer))),
      ["predict", "fraud-detector", "3"],
    ],
    [
      "ModelInfer with an empty model name: the deployment's model",
      grpc(INFER, frame(encode("ModelInferRequest", { ...infer, model_name: "" }))),
      ["predict", "default-model", "3"],
    ],
    [
      "ModelMetadata",
      grpc("/inference.GRPCInferenceService/ModelMetadata", frame(encode("ModelMetadataRequest", { name: "iris" }))),
      ["read", "iris", ""],
    ],
    [
      "ModelStatistics of one model",
      grpc("/inference.GRPCInferenceService/ModelStatistics", frame(encode("ModelMetadataRequest", { name: "iris", version: "2" }))),
      ["stats", "iris", "2"],
    ],
    [
      "ModelStatistics with an empty name: every model's statistics (Triton), so the server, not the deployment's model",
      grpc("/inference.GRPCInferenceService/ModelStatistics", frame(encode("ModelMetadataRequest", { name: "" }))),
      ["stats", "", ""],
    ],
    [
      "ModelReady",
      grpc("/inference.GRPCInferenceService/ModelReady", frame(encode("ModelMetadataRequest", { name: "iris", version: "1" }))),
      ["health", "iris", "1"],
    ],
    [
      "Triton's RepositoryModelLoad names the model in field 2",
      grpc(
        "/inference.GRPCInferenceService/RepositoryModelLoad",
        frame(encode("RepositoryModelLoadRequest", { repository_name: "repo", model_name: "iris" })),
      ),
      ["admin", "iris", ""],
    ],
    [
      "KServe's RepositoryModelLoad names it in field 1",
      grpc("/inference.GRPCInferenceService/RepositoryModelLoad", frame(encode("ModelMetadataRequest", { name: "iris" }))),
      ["admin", "iris", ""],
    ],
    ["ServerLive needs no message", grpc("/inference.GRPCInferenceService/ServerLive", undefined), ["health", "", ""]],
    ["RepositoryIndex", grpc("/inference.GRPCInferenceService/RepositoryIndex", undefined), ["list", "", ""]],
    [
      "a shared-memory registration is admin",
      grpc("/inference.GRPCInferenceService/CudaSharedMemoryRegister", undefined),
      ["admin", "", ""],
    ],
    [
      "ModelStreamInfer: the deployment's model only",
      grpc("/inference.GRPCInferenceService/ModelStreamInfer", frame(encode("ModelInferRequest", infer))),
      ["stream", "default-model", ""],
    ],
    ["an unknown method", grpc("/inference.GRPCInferenceService/ModelExplode", undefined), ["unknown", "default-model", ""]],
    [
      "not gRPC (no application/grpc)",
      grpc(INFER, frame(encode("ModelInferRequest", infer)), { headers: new Map() }),
      ["unknown", "default-model", ""],
    ],
    ["not POST", grpc(INFER, frame(encode("ModelInferRequest", infer)), { method: "GET" }), ["unknown", "default-model", ""]],
  ])("%s", (_name, req, expected) => {
    expect(resolve(req)).toEqual(expected);
  });

  it("a repeated model_name: the last one counts, as protobuf merges it", () => {
    const first = encode("ModelInferRequest", { model_name: "allowed" });
    const last = encode("ModelInferRequest", { model_name: "secret" });
    expect(resolve(grpc(INFER, frame(new Uint8Array(Buffer.concat([first, last])))))).toEqual(["predict", "secret", ""]);
  });

  it.each<[string, NormalizedRequest, string]>([
    ["no body from Envoy", grpc(INFER, undefined), "body_unavailable"],
    [
      "a body Envoy cut short",
      grpc(INFER, frame(encode("ModelInferRequest", infer)), { body: { bytes: frame(encode("ModelInferRequest", infer)), partial: true } }),
      "body_unavailable",
    ],
    [
      "a compressed message",
      grpc(
        INFER,
        (() => {
          const f = frame(encode("ModelInferRequest", infer));
          f[0] = 1;
          return f;
        })(),
      ),
      "body_unavailable",
    ],
    ["a frame longer than the body", grpc(INFER, frame(encode("ModelInferRequest", infer)).subarray(0, 20)), "body_unavailable"],
    [
      "two messages on a unary call",
      grpc(INFER, frame(encode("ModelInferRequest", infer), encode("ModelInferRequest", infer))),
      "body_malformed",
    ],
    ["a group (wire type 3)", grpc(INFER, frame(new Uint8Array([0x0b, 0x0c]))), "body_malformed"],
    ["model_name as a varint", grpc(INFER, frame(new Uint8Array([0x08, 0x01]))), "body_malformed"],
    ["a length beyond the message", grpc(INFER, frame(new Uint8Array([0x0a, 0x7f, 0x61]))), "body_malformed"],
    ["a model name that is not UTF-8", grpc(INFER, frame(new Uint8Array([0x0a, 0x02, 0xff, 0xfe]))), "body_malformed"],
    ["a model name with a `..` segment", grpc(INFER, frame(encode("ModelInferRequest", { model_name: "a/../b" }))), "model_invalid"],
    [
      "ModelStreamInfer without a deployment model",
      grpc("/inference.GRPCInferenceService/ModelStreamInfer", frame(encode("ModelInferRequest", infer))),
      "model_missing",
    ],
  ])("refuses %s", (_name, req, reason) => {
    const defaultModel = _name.startsWith("ModelStreamInfer") ? "" : "default-model";
    expect(resolve(req, defaultModel)).toBe(reason);
  });
});
