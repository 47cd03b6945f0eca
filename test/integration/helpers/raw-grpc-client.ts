import * as http2 from "node:http2";
import { connect as netConnect } from "node:net";

// A raw node:http2 client for the gRPC edge's own rules: it sends exactly the headers and DATA
// chunks a test gives (well-formed or not) and reports the HTTP status, the gRPC status (from
// the trailers, or the headers of a Trailers-Only answer) and the response body.

export interface RawAnswer {
  readonly httpStatus: number | undefined;
  readonly grpcStatus: string | undefined;
  readonly grpcMessage: string | undefined;
  readonly body: Buffer;
  readonly trailersOnly: boolean;
}

export type RawTarget = { readonly port: number } | { readonly socket: string };

export function rawSession(target: RawTarget): http2.ClientHttp2Session {
  const session =
    "port" in target
      ? http2.connect(`http://127.0.0.1:${target.port}`)
      : http2.connect("http://localhost", { createConnection: () => netConnect(target.socket) });
  session.on("error", () => undefined);
  return session;
}

export function frame(message: Buffer, flag = 0): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flag;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

export function grpcHeaders(path: string, extra: http2.OutgoingHttpHeaders = {}): http2.OutgoingHttpHeaders {
  return { ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...extra };
}

// Opens a stream, writes `chunks` one DATA frame each (waiting for each write), ends it unless
// `leaveOpen`, and resolves with the answer once the stream closes.
export function rawCall(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  chunks: readonly Buffer[],
  options: { leaveOpen?: boolean; onStream?: (stream: http2.ClientHttp2Stream) => void } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: false });
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders | undefined;
    const body: Buffer[] = [];
    stream.on("response", (h) => (responseHeaders = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (chunk: Buffer) => body.push(chunk));
    stream.on("error", () => undefined);
    stream.on("close", () => {
      const from = trailers ?? responseHeaders;
      resolve({
        httpStatus: responseHeaders[":status"] as number | undefined,
        grpcStatus: from["grpc-status"] as string | undefined,
        grpcMessage: from["grpc-message"] as string | undefined,
        body: Buffer.concat(body),
        trailersOnly: trailers === undefined,
      });
    });
    options.onStream?.(stream);
    const write = async (): Promise<void> => {
      for (const chunk of chunks) {
        if (stream.closed) return;
        await new Promise<void>((done) => stream.write(chunk, () => done()));
      }
      if (options.leaveOpen !== true && !stream.closed) stream.end();
    };
    write().catch(reject);
  });
}

// The one length-prefixed message of a unary answer.
export function onlyMessage(body: Buffer): Buffer {
  if (body.length < 5 || body.readUInt32BE(1) !== body.length - 5) throw new Error(`not one framed message: ${body.length} bytes`);
  return body.subarray(5);
}
