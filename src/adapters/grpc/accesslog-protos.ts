import type * as grpc from "@grpc/grpc-js";
import { loadEnvoyPackage } from "./envoy-protos.ts";

// envoy.service.accesslog.v3.AccessLogService from the same pinned Envoy definitions as the
// Authorization service (envoy-protos.ts).

export interface AccessLogProtos {
  readonly service: grpc.ServiceDefinition;
  readonly Client: grpc.ServiceClientConstructor;
}

export function loadAccessLogProtos(): AccessLogProtos {
  const root = loadEnvoyPackage("envoy/service/accesslog/v3/als.proto");
  const pkg = (root["envoy"] as grpc.GrpcObject | undefined)?.["service"] as grpc.GrpcObject | undefined;
  const v3 = (pkg?.["accesslog"] as grpc.GrpcObject | undefined)?.["v3"] as grpc.GrpcObject | undefined;
  const Client = v3?.["AccessLogService"] as grpc.ServiceClientConstructor | undefined;
  if (Client === undefined) throw new Error("envoy.service.accesslog.v3.AccessLogService not found in the bundled protos");
  return { service: Client.service, Client };
}
