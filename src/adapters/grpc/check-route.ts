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
    const onData = (chunk: Buffer): void => {
      if (refused) return;
      const error = reader.push(chunk);
      if (error !== undefined) refuse(...framingStatus(error, "CheckRequest", capBytes));
    };
    // `on` and `off` for an event a stream emits once: `once` would add a wrapper closure per call.
    const onEnd = (): void => {
      // No DATA follows the end: both listeners leave the stream, so what they hold (the reader
      // and this call's state) is not kept alive by the stream after the call (see below).
      stream.off("data", onData);
      stream.off("end", onEnd);
      if (refused) return;
      const error = reader.end();
      if (error !== undefined) return refuse(...framingStatus(error, "CheckRequest", capBytes));
      if (count !== 1 || message === undefined) return refuse(GrpcStatus.INTERNAL, `a Check call carries one CheckRequest, not ${count}`);
      const received = message;
      message = undefined; // see below: nothing of the call stays reachable from the stream
      let request: unknown;
      try {
        request = Buffer.isBuffer(received) ? decodeCheckRequest(received) : received;
      } catch (e) {
        return refuse(GrpcStatus.INTERNAL, `could not parse the CheckRequest: ${(e as Error).message}`);
      }
      // Node's Http2Stream outlives the call in the young generation: V8's scavenges keep it (a
      // wrapper of a native object) alive until a mark-compact, and with it whatever its
      // listeners reach. So the cancel listener, which reaches the whole decision, is only on
      // the stream while the decision is pending, and the request bytes are dropped above:
      // otherwise every call's request, decision and audit record is promoted to the old
      // generation, and the mark-compacts that clear them pause the server for tens of ms.
      let answered = false;
      let cancel: CancelCheck | undefined;
      const pending = handle({
        request,
        // the budget counts from the call's arrival, not from the end of its request body
        remainingMs: remainingMs - (performance.now() - arrived),
        reply: (answer) => {
          answered = true;
          if (cancel !== undefined) stream.off("close", cancel);
          cancel = undefined;
          replyMessage(stream, answer);
        },
      });
      if (answered) return;
      cancel = pending;
      stream.on("close", pending);
    };
    stream.on("data", onData);
    stream.on("end", onEnd);
  };
}
