import { err, ok, type Result } from "../result.ts";
import type { RequestBody } from "./normalized-request.ts";

// The messages of a gRPC request body as Envoy forwards it (pack_as_bytes): each is a 1-byte
// compressed flag, a 4-byte big-endian length, then the protobuf message. A compressed message
// cannot be read here, and a body Envoy cut short could hide what matters after the cut.

export function grpcMessages(body: RequestBody): Result<readonly Uint8Array[], string> {
  if (body.partial) return err("the gRPC body was cut at Envoy's max_request_bytes");
  const { bytes } = body;
  const messages: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 5 > bytes.length) return err("truncated gRPC message header");
    if (bytes[offset] !== 0) return err("a compressed gRPC message cannot be inspected (send it uncompressed)");
    const length =
      (((bytes[offset + 1] ?? 0) << 24) >>> 0) +
      ((bytes[offset + 2] ?? 0) << 16) +
      ((bytes[offset + 3] ?? 0) << 8) +
      (bytes[offset + 4] ?? 0);
    if (offset + 5 + length > bytes.length) return err("truncated gRPC message");
    messages.push(bytes.subarray(offset + 5, offset + 5 + length));
    offset += 5 + length;
  }
  return ok(messages);
}
