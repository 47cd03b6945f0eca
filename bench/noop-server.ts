import * as grpc from "@grpc/grpc-js";
import { loadAuthorizationProtos } from "../src/adapters/grpc/envoy-protos.ts";

// The baseline: a grpc-js Check handler that does nothing but answer OK, over the same protos.
const server = new grpc.Server();
server.addService(loadAuthorizationProtos().service, {
  Check: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, { status: { code: 0 } }),
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`${JSON.stringify({ msg: "serving", grpc_port: port })}\n`);
});
process.once("SIGTERM", () => server.forceShutdown());
