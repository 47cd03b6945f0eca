import protobuf from "protobufjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { connectAuthz, reasonOf, type AuthzClient } from "./helpers/authz-client.ts";
import { startFixtureServer, type FixtureServer } from "./helpers/fixture-server.ts";
import { FIXTURE_KEYS, FRAUD_POLICY } from "./fixtures.ts";

// A gRPC inference call (Open Inference Protocol ModelInfer) as Envoy forwards it to ext_authz:
// the request message's bytes in raw_body, over the real Check RPC. The model decided on is the
// one the message names, so a key allowed on one model cannot reach another by naming it there.

const ModelInferRequest = protobuf.Root.fromJSON({
  nested: {
    ModelInferRequest: {
      fields: { model_name: { type: "string", id: 1 }, model_version: { type: "string", id: 2 }, id: { type: "string", id: 3 } },
    },
  },
}).lookupType("ModelInferRequest");

function grpcBody(modelName: string): Uint8Array {
  const message = ModelInferRequest.encode(ModelInferRequest.fromObject({ model_name: modelName, id: "r1" })).finish();
  const framed = new Uint8Array(5 + message.length);
  new DataView(framed.buffer).setUint32(1, message.length);
  framed.set(message, 5);
  return framed;
}

let fixture: FixtureServer;
let client: AuthzClient;

beforeAll(async () => {
  fixture = await startFixtureServer({
    policyYaml: FRAUD_POLICY,
    keys: FIXTURE_KEYS,
    config: { protocol: "open-inference-v2", model: "" },
  });
  client = connectAuthz(fixture.tcpTarget);
});

afterAll(async () => {
  client?.close();
  await fixture?.stop();
});

async function reason(model: string): Promise<string> {
  const request = buildCheckRequest({
    method: "POST",
    path: "/inference.GRPCInferenceService/ModelInfer",
    headers: { "content-type": "application/grpc", "x-api-key": fixture.keys["scientist"] as string },
    body: grpcBody(model),
  });
  return reasonOf(await client.check(request));
}

describe("gRPC inference through the real Check RPC", () => {
  it("decides on the model the ModelInfer message names", async () => {
    expect(await reason("fraud-detector")).toBe("allowed");
    expect(await reason("payroll")).toBe("policy_no_match");
  });
});
