import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

// The official Envoy definitions ship inside @grpc/grpc-js-xds (pinned in package.json);
// they are loaded from there, never copied into this repository.

export const PROTO_LOAD_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
};

export function envoyProtoIncludeDirs(): string[] {
  const require = createRequire(import.meta.url);
  const xdsRoot = join(dirname(require.resolve("@grpc/grpc-js-xds")), "..", "..", "deps");
  return ["envoy-api", "googleapis", "protoc-gen-validate", "xds"].map((d) => join(xdsRoot, d));
}

export function loadEnvoyPackage(protoFile: string): grpc.GrpcObject {
  const definition = protoLoader.loadSync(protoFile, { ...PROTO_LOAD_OPTIONS, includeDirs: envoyProtoIncludeDirs() });
  return grpc.loadPackageDefinition(definition);
}

function pick(root: grpc.GrpcObject, dotted: string): unknown {
  let node: unknown = root;
  for (const part of dotted.split(".")) {
    node = (node as Record<string, unknown> | undefined)?.[part];
  }
  return node;
}

export interface AuthorizationProtos {
  readonly service: grpc.ServiceDefinition;
  readonly Client: grpc.ServiceClientConstructor;
}

export function loadAuthorizationProtos(): AuthorizationProtos {
  const root = loadEnvoyPackage("envoy/service/auth/v3/external_auth.proto");
  const Client = pick(root, "envoy.service.auth.v3.Authorization") as grpc.ServiceClientConstructor | undefined;
  if (Client === undefined) throw new Error("envoy.service.auth.v3.Authorization not found in the bundled protos");
  return { service: Client.service, Client };
}
