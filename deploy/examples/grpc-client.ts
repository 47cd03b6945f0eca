// Calls modelgate's Check as Envoy would, without grpcurl: grpc-js, proto-loader and the Envoy
// protos that ship inside @grpc/grpc-js-xds (four include folders). Prints the CheckResponse.
//
//   node deploy/examples/grpc-client.ts [host:port] [api-key]
//   node deploy/examples/grpc-client.ts 127.0.0.1:9001 "$(cat deploy/examples/try-key-data-scientist.txt)"
//
// test/integration/grpc-client-example.test.ts runs this file against a real server.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const [target = "127.0.0.1:9001", apiKey] = process.argv.slice(2);

const deps = join(dirname(createRequire(import.meta.url).resolve("@grpc/grpc-js-xds")), "..", "..", "deps");
const definition = protoLoader.loadSync("envoy/service/auth/v3/external_auth.proto", {
  keepCase: true,
  longs: String,
  enums: String,
  oneofs: true,
  includeDirs: ["envoy-api", "googleapis", "protoc-gen-validate", "xds"].map((folder) => join(deps, folder)),
});
const root = grpc.loadPackageDefinition(definition) as unknown as {
  envoy: { service: { auth: { v3: { Authorization: grpc.ServiceClientConstructor } } } };
};

interface AuthorizationClient extends grpc.Client {
  check(request: object, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: object) => void): void;
}
const client = new root.envoy.service.auth.v3.Authorization(target, grpc.credentials.createInsecure()) as unknown as AuthorizationClient;

// The attributes Envoy's ext_authz filter sends: lower-case headers, pseudo-headers included.
const path = "/v2/models/fraud-detector/infer";
const headers: Record<string, string> = { ":method": "POST", ":path": path, ":authority": "models.local", "x-request-id": "r-1" };
if (apiKey !== undefined) headers["x-api-key"] = apiKey;
const request = { attributes: { request: { http: { method: "POST", path, host: "models.local", headers } } } };

client.check(request, { deadline: Date.now() + 5000 }, (error, response) => {
  client.close();
  if (error !== null) {
    process.stderr.write(`Check failed: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${JSON.stringify(response)}\n`); // status.code 0 = allowed
});
