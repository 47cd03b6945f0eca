// The real CheckRequest codec: @grpc/proto-loader over the Envoy protos shipped by
// @grpc/grpc-js-xds, with the options check-request.ts documents.
import { createRequire } from "node:module";
import { join } from "node:path";
import * as protoLoader from "@grpc/proto-loader";

export interface CheckCodec {
  requestSerialize(value: unknown): Buffer;
  requestDeserialize(bytes: Buffer): unknown;
}

export function loadCheckCodec(): CheckCodec {
  const deps = join(createRequire(import.meta.url).resolve("@grpc/grpc-js-xds/package.json"), "..", "deps");
  const definition = protoLoader.loadSync("envoy/service/auth/v3/external_auth.proto", {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
    includeDirs: ["envoy-api", "googleapis", "protoc-gen-validate", "xds"].map((dir) => join(deps, dir)),
  });
  const service = definition["envoy.service.auth.v3.Authorization"] as unknown as { readonly Check: CheckCodec };
  return service.Check;
}

// Serialise then decode, as a request crossing the wire from Envoy would be.
export function overTheWire(codec: CheckCodec, message: unknown): unknown {
  return codec.requestDeserialize(codec.requestSerialize(message));
}
