import type * as grpc from "@grpc/grpc-js";
import type { AuthzResponse } from "../../core/respond.ts";
import { decodeCheckRequest } from "./check-request-decoder.ts";
import { checkResponseEncoder } from "./check-response-encoder.ts";

// The Authorization service with its own wire codec: grpc-js lets a service definition supply
// requestDeserialize and responseSerialize, so Check requests are decoded by the lean decoder
// (only the fields the pipeline reads are built) and answers are encoded straight from the
// AuthzResponse; the handler hands grpc-js the finished bytes. Same wire format, fewer objects.

export interface CheckCodec {
  readonly service: grpc.ServiceDefinition;
  readonly response: (response: AuthzResponse, decisionId: string, reason: string) => Buffer;
}

export function leanCheckCodec(reference: grpc.ServiceDefinition): CheckCodec {
  const check = reference["Check"];
  if (check === undefined) throw new Error("the Authorization service has no Check method");
  const encoded = (bytes: Buffer): Buffer => bytes;
  return {
    service: { ...reference, Check: { ...check, requestDeserialize: decodeCheckRequest, responseSerialize: encoded } },
    response: checkResponseEncoder(),
  };
}
