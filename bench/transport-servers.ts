import * as grpc from "@grpc/grpc-js";
import * as http2 from "node:http2";
import { loadAuthorizationProtos } from "../src/adapters/grpc/envoy-protos.ts";
import { decodeCheckRequest } from "../src/adapters/grpc/check-request-decoder.ts";
import { checkResponseEncoder } from "../src/adapters/grpc/check-response-encoder.ts";
import { startAuthzServer } from "../src/adapters/grpc/authz-server.ts";
import { denialWithoutContext } from "../src/core/decide.ts";
import type { DecisionService } from "../src/core/decision-service.ts";

// The two no-op Check servers bench/transport-bench.ts compares: both decode the CheckRequest
// with the lean decoder and answer the same pre-encoded OK CheckResponse, so the only
// difference is the transport; `edge` is modelgate's own gRPC edge (authz-server.ts) around a
// decision service that answers at once and records nothing.
// Usage: node bench/transport-servers.ts grpc-js | http2 | edge

const answer = checkResponseEncoder()(
  { allowed: true, upstreamHeaders: [], upstreamHeadersToRemove: [], responseHeaders: [] } as never,
  "bench",
  "allowed",
);

function serving(port: number): void {
  process.stdout.write(`${JSON.stringify({ msg: "serving", grpc_port: port })}\n`);
}

function grpcJs(): void {
  const server = new grpc.Server();
  // grpc-js takes a service's own wire codec through the method definition: the lean decoder
  // in, the finished bytes out (as modelgate's grpc-js server did before its own edge).
  const reference = loadAuthorizationProtos().service;
  const check = reference["Check"] as grpc.MethodDefinition<unknown, unknown>;
  const lean = { ...check, requestDeserialize: decodeCheckRequest, responseSerialize: (bytes: Buffer) => bytes };
  server.addService(
    { ...reference, Check: lean },
    {
      Check: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        void call.request;
        callback(null, answer);
      },
    },
  );
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    serving(port);
  });
  process.once("SIGTERM", () => server.forceShutdown());
}

function rawHttp2(): void {
  const framed = Buffer.alloc(5 + answer.length);
  framed.writeUInt32BE(answer.length, 1);
  answer.copy(framed, 5);
  const server = http2.createServer();
  server.on("stream", (stream: http2.ServerHttp2Stream) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      decodeCheckRequest(body.subarray(5, 5 + body.readUInt32BE(1)));
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(framed);
    });
  });
  server.listen(0, "127.0.0.1", () => serving((server.address() as { port: number }).port));
  process.once("SIGTERM", () => server.close() && process.exit(0));
}

async function edge(): Promise<void> {
  const decision = denialWithoutContext("policy_no_match", "bench", "bench", 0);
  const service: DecisionService = {
    admit: () => undefined,
    decide: () => Promise.resolve(decision),
    deny: (reason, detail) => denialWithoutContext(reason, detail, "bench", 0),
    record: (d, _ms, answer) => answer(d),
    failed: () => undefined,
  };
  const server = await startAuthzServer({ tcp: "127.0.0.1:0", uds: undefined, maxInFlight: 10_000, maxReceiveBytes: 4 << 20, service });
  serving(server.tcpPort as number);
  process.once("SIGTERM", () => void server.shutdown(0).then(() => process.exit(0)));
}

const mode = process.argv[2];
if (mode === "http2") rawHttp2();
else if (mode === "edge") await edge();
else grpcJs();
