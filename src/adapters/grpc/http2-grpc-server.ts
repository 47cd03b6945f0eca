import * as http2 from "node:http2";
import type { ServerOpts } from "node:net";
import { splitHostPort } from "../../core/listen-address.ts";
import { parseGrpcTimeout } from "./grpc-timeout.ts";
import { replyHttp, replyStatus } from "./grpc-reply.ts";
import { GrpcStatus } from "./grpc-status.ts";

// A gRPC server on node:http2 (plaintext HTTP/2, as Envoy's ext_authz cluster and the sidecar's
// health probes speak it): it checks what every gRPC call must carry and hands the stream to the
// route of its :path, with the caller's remaining budget from `grpc-timeout`.
//   - :method other than POST → HTTP 405; content-type not application/grpc* → HTTP 415 (the
//     protocol's answer, so a non-gRPC client does not read a gRPC error as a success);
//   - an unknown :path → UNIMPLEMENTED; a grpc-encoding other than identity → UNIMPLEMENTED
//     (nothing here compresses; Envoy does not compress ext_authz calls);
//   - an unparsable grpc-timeout → INTERNAL (as grpc-js answers it).
// PINGs are answered by Node's HTTP/2 session itself, with or without calls in flight.

export type GrpcRoute = (stream: http2.ServerHttp2Stream, remainingMs: number, headers: http2.IncomingHttpHeaders) => void;

export interface GrpcHttp2Server {
  // With `reusePort`, other processes may listen on the same port too (SO_REUSEPORT: Linux and
  // some BSDs); the kernel hands each new connection to one of them.
  listenTcp(address: string, reusePort: boolean): Promise<number>;
  listenUnix(path: string): Promise<void>;
  // Stops accepting connections and streams (GOAWAY), lets the calls in flight finish within
  // `graceMs`, then closes whatever is left.
  shutdown(graceMs: number): Promise<void>;
}

// node:http2 hands its options to net.Server, whose `noDelay` its types do not list. Exported for
// the bench's transport floor (bench/http2-floor-server.ts), which must run on the same options.
export const SERVER_OPTIONS: http2.ServerOptions & Pick<ServerOpts, "noDelay"> = {
  // Node's default (10 MB of buffered frames per session) refuses new streams under a burst of
  // concurrent calls; the calls in flight are bounded by the Check handler's maxInFlight instead.
  maxSessionMemory: Number.MAX_SAFE_INTEGER,
  // TCP_NODELAY on every accepted connection, as Go's servers (OPA-Envoy's among them) and
  // Envoy's own sockets have it. A node:http2 server leaves Nagle's algorithm on (grpc-js sets
  // it only on its client sockets), so a small answer written while an earlier one on the same
  // connection is unacknowledged would wait for the caller's ACK, up to the 40 ms of a delayed
  // ACK on Linux. Node already gathers the frames of one turn of the event loop into one write.
  noDelay: true,
};

function ignore(): void {}

function dispatch(routes: ReadonlyMap<string, GrpcRoute>) {
  return (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void => {
    stream.on("error", ignore); // a reset stream reports here; its 'close' tells the route
    if (headers[":method"] !== "POST") return replyHttp(stream, 405);
    const contentType = headers["content-type"];
    if (contentType === undefined || !contentType.startsWith("application/grpc")) return replyHttp(stream, 415);
    const path = headers[":path"] ?? "";
    const route = routes.get(path);
    if (route === undefined) return replyStatus(stream, GrpcStatus.UNIMPLEMENTED, `unknown method ${path}`);
    const encoding = headers["grpc-encoding"];
    if (encoding !== undefined && encoding !== "identity") {
      return replyStatus(stream, GrpcStatus.UNIMPLEMENTED, `grpc-encoding ${String(encoding)} is not supported; send identity`);
    }
    const timeout = headers["grpc-timeout"];
    const remainingMs = parseGrpcTimeout(typeof timeout === "string" ? timeout : undefined);
    if (remainingMs === undefined) return replyStatus(stream, GrpcStatus.INTERNAL, `invalid grpc-timeout ${String(timeout)}`);
    route(stream, remainingMs, headers);
  };
}

export function createGrpcHttp2Server(routes: ReadonlyMap<string, GrpcRoute>): GrpcHttp2Server {
  const onStream = dispatch(routes);
  const servers: http2.Http2Server[] = [];
  const sessions = new Set<http2.ServerHttp2Session>();
  const listening = (listen: (server: http2.Http2Server, done: () => void) => void): Promise<http2.Http2Server> =>
    new Promise((resolve, reject) => {
      const server = http2.createServer(SERVER_OPTIONS);
      server.on("stream", onStream);
      server.on("session", (session) => {
        sessions.add(session);
        session.once("close", () => sessions.delete(session));
        session.on("error", ignore); // a connection torn down mid-frame; its streams close
      });
      server.once("error", reject);
      listen(server, () => {
        server.off("error", reject);
        servers.push(server);
        resolve(server);
      });
    });
  return {
    async listenTcp(address, reusePort) {
      const { host, port } = splitHostPort(address);
      const server = await listening((s, done) => s.listen({ port, host, reusePort }, done));
      return (server.address() as { port: number }).port;
    },
    async listenUnix(path) {
      await listening((s, done) => s.listen(path, done));
    },
    shutdown(graceMs) {
      const closed = Promise.all(servers.map((s) => new Promise<void>((done) => s.close(() => done()))));
      for (const session of sessions) session.close(); // GOAWAY; streams in flight may finish
      const force = setTimeout(() => {
        for (const session of sessions) session.destroy();
      }, graceMs);
      return closed.then(() => clearTimeout(force));
    },
  };
}
