import type * as grpc from "@grpc/grpc-js";

// Decision 3 says every Check is answered with a CheckResponse, and that includes a request
// over `maxReceiveBytes`: grpc-js would refuse it with RESOURCE_EXHAUSTED before any handler
// ran. So the transport's own cap sits well above the limit, the Check deserializer measures
// the message first and hands the handler a marker instead of parsing an oversized one, and
// the handler answers 413 `request_too_large`. Only a message above the transport cap (which
// bounds the memory one call can take) is still refused by grpc-js itself.

const MIB = 1024 * 1024;

// Four times the limit, but never more than 64 MiB above it.
export function transportCapBytes(limitBytes: number): number {
  return Math.min(4 * limitBytes, limitBytes + 64 * MIB);
}

export interface OversizedRequest {
  readonly oversizedBytes: number;
}

export function isOversized(request: unknown): request is OversizedRequest {
  return typeof request === "object" && request !== null && typeof (request as Partial<OversizedRequest>).oversizedBytes === "number";
}

// The service with `method`'s deserializer measuring first; every other method is unchanged.
export function limitRequestSize(service: grpc.ServiceDefinition, method: string, limitBytes: number): grpc.ServiceDefinition {
  const definition = service[method];
  if (definition === undefined) throw new Error(`${method} is not a method of the service`);
  const parse = definition.requestDeserialize;
  const measured = (bytes: Buffer): unknown => (bytes.length > limitBytes ? { oversizedBytes: bytes.length } : parse(bytes));
  return { ...service, [method]: { ...definition, requestDeserialize: measured } };
}
