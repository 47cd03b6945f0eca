import { isUtf8 } from "node:buffer";
import type { Action } from "../../model-action.ts";
import type { NormalizedRequest } from "../normalized-request.ts";
import { grpcMessages } from "../grpc-frame.ts";
import { scanLengthDelimited } from "../protobuf-scan.ts";
import { requestError } from "../request-error.ts";
import { own, target, unrecognised, type TargetResult } from "./target.ts";

// Open Inference Protocol over gRPC (`inference.GRPCInferenceService`, ml-protocols.md §3): the
// method names the action, the request message names the model (field numbers per method).
// Unary calls carry exactly one message; the stream of ModelStreamInfer may name a model per
// message, which one check cannot see, so it is decided for the deployment's model only.

export const OIP_GRPC_SERVICE = "/inference.GRPCInferenceService/";

// `emptyIsServer`: an empty name asks about every model (Triton's ModelStatistics), so it targets
// the server, not the deployment's model.
interface GrpcMethod {
  readonly action: Action;
  readonly model?: { readonly name: number; readonly version?: number; readonly fallback?: number; readonly emptyIsServer?: boolean };
}

const NAME = { name: 1, version: 2 } as const;

const METHODS: Readonly<Record<string, GrpcMethod>> = {
  ServerLive: { action: "health" },
  ServerReady: { action: "health" },
  ServerMetadata: { action: "read" },
  ModelReady: { action: "health", model: NAME },
  ModelMetadata: { action: "read", model: NAME },
  ModelConfig: { action: "read", model: NAME },
  ModelStatistics: { action: "stats", model: { ...NAME, emptyIsServer: true } },
  ModelInfer: { action: "predict", model: { name: 1, version: 2 } },
  RepositoryIndex: { action: "list" },
  // Triton and MLServer put model_name in field 2 (1 is the repository); KServe's proto in 1.
  RepositoryModelLoad: { action: "admin", model: { name: 2, fallback: 1 } },
  RepositoryModelUnload: { action: "admin", model: { name: 2, fallback: 1 } },
  SystemSharedMemoryStatus: { action: "read" },
  SystemSharedMemoryRegister: { action: "admin" },
  SystemSharedMemoryUnregister: { action: "admin" },
  CudaSharedMemoryStatus: { action: "read" },
  CudaSharedMemoryRegister: { action: "admin" },
  CudaSharedMemoryUnregister: { action: "admin" },
  TraceSetting: { action: "admin" },
  LogSettings: { action: "admin" },
};

export function resolveOipGrpc(req: NormalizedRequest, defaultModel: string): TargetResult {
  const name = req.path.slice(OIP_GRPC_SERVICE.length);
  if (req.method !== "POST" || !(req.headers.get("content-type") ?? "").startsWith("application/grpc")) return unrecognised(defaultModel);
  if (name === "ModelStreamInfer") {
    return defaultModel === ""
      ? requestError(
          "model_missing",
          "ModelStreamInfer messages may each name a model: configure the deployment's model or a routing header",
        )
      : target(defaultModel, "stream");
  }
  const method = own(METHODS, name);
  if (method === undefined) return unrecognised(defaultModel);
  if (method.model === undefined) return target("", method.action);
  return modelFromMessage(req, method.action, method.model, defaultModel);
}

function modelFromMessage(
  req: NormalizedRequest,
  action: Action,
  fields: NonNullable<GrpcMethod["model"]>,
  defaultModel: string,
): TargetResult {
  if (req.body === undefined)
    return requestError("body_unavailable", "the gRPC request message is needed to resolve the model (enable with_request_body in Envoy)");
  const messages = grpcMessages(req.body);
  if (!messages.ok) return requestError("body_unavailable", messages.error);
  const [message, ...more] = messages.value;
  if (message === undefined || more.length > 0)
    return requestError("body_malformed", `a unary call carries one message, got ${messages.value.length}`);
  const wanted = [
    fields.name,
    ...(fields.version === undefined ? [] : [fields.version]),
    ...(fields.fallback === undefined ? [] : [fields.fallback]),
  ];
  const scanned = scanLengthDelimited(message, wanted);
  if (!scanned.ok) return requestError("body_malformed", `gRPC message: ${scanned.error}`);
  const text = (field: number | undefined) => {
    const bytes = field === undefined ? undefined : scanned.value.get(field);
    return bytes === undefined ? "" : isUtf8(bytes) ? Buffer.from(bytes).toString("utf8") : undefined;
  };
  const named = text(fields.name);
  const model = named === "" ? text(fields.fallback) : named;
  const version = text(fields.version);
  if (model === undefined || version === undefined) return requestError("body_malformed", "a gRPC model name is not UTF-8");
  // An empty name means "unspecified": the deployment's model.
  if (model === "" && fields.emptyIsServer === true) return target("", action);
  return target(model === "" ? defaultModel : model, action, version);
}
