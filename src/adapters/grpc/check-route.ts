import type { ServerHttp2Stream } from "node:http2";
import type { CancelCheck, CheckCall } from "./check-call.ts";
import { decodeCheckRequest } from "./check-request-decoder.ts";
import { GrpcMessageReader } from "./grpc-message-reader.ts";
import { replyMessage, replyStatus } from "./grpc-reply.ts";
import { framingStatus, GrpcStatus } from "./grpc-status.ts";
import type { GrpcRoute } from "./http2-grpc-server.ts";
import { transportCapBytes, type OversizedRequest } from "./request-size.ts";

// envoy.service.auth.v3.Authorization/Check on the node:http2 edge: the one request message is
// read from the stream's DATA frames (a message over `maxReceiveBytes` is skipped and answered
// 413 request_too_large by the handler; one over the transport cap is refused with
// RESOURCE_EXHAUSTED, as grpc-js did), decoded by the lean decoder once the client has finished
// sending, and handed to the transport-independent handler (check-call.ts). A stream the caller
// resets or drops before the answer cancels the decision.

export function checkRoute(handle: (call: CheckCall) => CancelCheck, maxReceiveBytes: number): GrpcRoute {
  const capBytes = transportCapBytes(maxReceiveBytes);
  return (stream: ServerHttp2Stream, remainingMs: number) => {
    const arrived = performance.now();
    let message: Buffer | OversizedRequest | undefined;
    let count = 0;
    let refused = false;
    const reader = new GrpcMessageReader(maxReceiveBytes, capBytes, (bytes, length) => {
      count += 1;
      message = bytes ?? { oversizedBytes: length };
    });
    const refuse = (code: number, detail: string): void => {
      refused = true;
      replyStatus(stream, code, detail);
    };
    stream.on("data", (chunk: Buffer) => {
      if (refused) return;
      const error = reader.push(chunk);
      if (error !== undefined) refuse(...framingStatus(error, "CheckRequest", capBytes));
    });
    // `on` for events a stream emits once: `once` would add a wrapper closure per call.
    stream.on("end", () => {
      if (refused) return;
      const error = reader.end();
      if (error !== undefined) return refuse(...framingStatus(error, "CheckRequest", capBytes));
      if (count !== 1 || message === undefined) return refuse(GrpcStatus.INTERNAL, `a Check call carries one CheckRequest, not ${count}`);
      let request: unknown;
      try {
        request = Buffer.isBuffer(message) ? decodeCheckRequest(message) : message;
      } catch (e) {
        return refuse(GrpcStatus.INTERNAL, `could not parse the CheckRequest: ${(e as Error).message}`);
      }
      const cancel = handle({
        request,
        // the budget counts from the call's arrival, not from the end of its request body
        remainingMs: remainingMs - (performance.now() - arrived),
        reply: (answer) => replyMessage(stream, answer),
      });
      stream.on("close", cancel);
    });
  };
}
