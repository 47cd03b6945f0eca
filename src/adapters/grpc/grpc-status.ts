import type { FramingError } from "./grpc-message-reader.ts";

// gRPC status codes the edge answers with, and the Status-Message encoding of the gRPC over
// HTTP/2 protocol: UTF-8, then every byte outside space..~ (and `%` itself) as %XX.

export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

function needsEncoding(byte: number): boolean {
  return byte < 0x20 || byte > 0x7e || byte === 0x25;
}

export function percentEncodeGrpcMessage(message: string): string {
  const bytes = Buffer.from(message, "utf8");
  if (!bytes.some(needsEncoding)) return message;
  let out = "";
  for (const byte of bytes) {
    out += needsEncoding(byte) ? `%${byte.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(byte);
  }
  return out;
}

// The status a call gets for a broken request stream: a message over the cap is
// RESOURCE_EXHAUSTED (as grpc-js answers it), the rest a protocol error (INTERNAL).
export function framingStatus(error: FramingError, what: string, capBytes: number): [code: number, message: string] {
  if (error.kind === "too_large")
    return [GrpcStatus.RESOURCE_EXHAUSTED, `${what} of ${error.bytes} bytes is larger than the limit of ${capBytes}`];
  if (error.kind === "compressed") return [GrpcStatus.INTERNAL, "compressed message without a grpc-encoding"];
  return [GrpcStatus.INTERNAL, `the stream ended inside the ${what}`];
}
