import http2 from "node:http2";
import { replyMessage } from "../src/adapters/grpc/grpc-reply.ts";
import { SERVER_OPTIONS } from "../src/adapters/grpc/http2-grpc-server.ts";

// The transport's floor: a node:http2 server that reads each call's request to its end and
// answers, through modelgate's own gRPC reply path, the no-op's CheckResponse (status OK), with
// no decoding and no decision. What is left in its figures is Node's HTTP/2 layer, V8's garbage
// collector and the load generator: what no Node gRPC server goes below on the same machine.
// Started with the image's Node flags by `npm run bench`, as modelgate is.

// CheckResponse { status: {} }: field 1, an empty Status, whose code 0 (OK) is the default.
const OK_ANSWER = Buffer.from([0x0a, 0x00]);

const server = http2.createServer(SERVER_OPTIONS);
// As modelgate's edge: a stream or connection the caller tears down (ghz does at the end of a
// run) reports an error, which must not end the process.
server.on("session", (session) => session.on("error", ignore));
server.on("stream", (stream: http2.ServerHttp2Stream) => {
  stream.on("error", ignore);
  stream.on("data", ignore);
  stream.on("end", () => replyMessage(stream, OK_ANSWER));
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ msg: "serving", grpc_port: port })}\n`);
});
process.once("SIGTERM", () => server.close());

function ignore(): void {}
