import * as grpc from "@grpc/grpc-js";
import { loadAuthorizationProtos } from "../src/adapters/grpc/envoy-protos.ts";

// The baseline: a grpc-js Check handler that does nothing but answer OK, over the same protos.
// With NOOP_ANSWER_HEX set (bench/generator-cost.ts) it answers those CheckResponse bytes
// instead, as they are: modelgate's own answer, so the load generator decodes the same message.
const { service } = loadAuthorizationProtos();
const fixed = process.env["NOOP_ANSWER_HEX"];
const server = new grpc.Server();
if (fixed === undefined) {
  server.addService(service, {
    Check: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, { status: { code: 0 } }),
  });
} else {
  const answer = Buffer.from(fixed, "hex");
  const check = service["Check"] as grpc.MethodDefinition<unknown, Buffer>;
  server.addService(
    { Check: { ...check, responseSerialize: (bytes: Buffer) => bytes } },
    {
      Check: (_call: unknown, callback: grpc.sendUnaryData<Buffer>) => callback(null, answer),
    },
  );
}
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`${JSON.stringify({ msg: "serving", grpc_port: port })}\n`);
});
process.once("SIGTERM", () => server.forceShutdown());
