import * as grpc from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { denialWithoutContext } from "../../src/core/decide.ts";
import type { Decision } from "../../src/core/decision.ts";
import { startAuthzServer, type AuthzServer } from "../../src/adapters/grpc/authz-server.ts";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { connectAuthz, reasonOf } from "./helpers/authz-client.ts";
import { plainDecisionService } from "./helpers/plain-decision-service.ts";

// Graceful shutdown of the node:http2 edge: no new connections, the calls in flight finish within
// the grace, and what is still open after it (a health Watch never ends on its own) is closed.

let server: AuthzServer | undefined;

afterEach(async () => {
  await server?.shutdown(100);
  server = undefined;
});

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

describe("graceful shutdown", () => {
  it("refuses new connections, finishes the Check in flight, then closes a lingering Watch after the grace", async () => {
    let release: (d: Decision) => void = () => {};
    const pending = new Promise<Decision>((r) => (release = r));
    let started: () => void = () => {};
    const deciding = new Promise<void>((r) => (started = r));
    server = await startAuthzServer({
      tcp: "127.0.0.1:0",
      uds: undefined,
      maxInFlight: 10,
      maxReceiveBytes: 1 << 20,
      service: plainDecisionService({ decide: () => (started(), pending) }),
    });
    const port = server.tcpPort as number;
    server.setServing(true);
    const client = connectAuthz(`127.0.0.1:${port}`);
    const Health = grpc.makeClientConstructor(healthService, "grpc.health.v1.Health");
    const health = new Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      watch(req: unknown): grpc.ClientReadableStream<{ status: string }>;
    };
    const watch = health.watch({ service: "" });
    const watchEnded = new Promise<void>((resolve) => {
      watch.on("error", () => resolve());
      watch.on("end", () => resolve());
    });
    const firstStatus = new Promise((resolve) => watch.once("data", resolve));
    try {
      await firstStatus;
      const answer = client.check(buildCheckRequest({ method: "GET", path: "/v2/models/m" }), 10_000);
      await deciding;
      const stopping = server.shutdown(1500);
      expect(await connects(port)).toBe(false);
      release(denialWithoutContext("policy_no_match", "released", "id-1", Date.now()));
      expect(reasonOf(await answer)).toBe("policy_no_match");
      await stopping;
      await watchEnded;
      server = undefined;
    } finally {
      client.close();
      health.close();
    }
  });
});
