import { afterEach, describe, expect, it } from "vitest";
import { denialWithoutContext } from "../../src/core/decide.ts";
import type { Decision } from "../../src/core/decision.ts";
import type { DecisionService } from "../../src/core/decision-service.ts";
import { startAuthzServer, type AuthzServer, type AuthzServerOptions } from "../../src/adapters/grpc/authz-server.ts";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { connectAuthz, type AuthzClient } from "./helpers/authz-client.ts";
import { plainDecisionService } from "./helpers/plain-decision-service.ts";

// The gRPC edge on its own, with a decide function the test controls: slow, failing, or
// allowing. Whatever happens inside, Envoy must get a CheckResponse with an explicit status.

let server: AuthzServer | undefined;
let client: AuthzClient | undefined;

afterEach(async () => {
  client?.close();
  await server?.shutdown(1000);
});

async function serve(overrides: Partial<Omit<AuthzServerOptions, "service">> & { decide?: DecisionService["decide"] }) {
  const decisions: Decision[] = [];
  const errors: unknown[] = [];
  const { decide = () => new Promise(() => {}), ...transport } = overrides;
  server = await startAuthzServer({
    tcp: "127.0.0.1:0",
    uds: undefined,
    maxInFlight: 100,
    maxReceiveBytes: 4 * 1024 * 1024,
    service: plainDecisionService({ decide, onDecision: (d) => void decisions.push(d), onError: (e) => void errors.push(e) }),
    ...transport,
  });
  client = connectAuthz(`127.0.0.1:${server.tcpPort}`);
  return { decisions, errors, client };
}

const request = buildCheckRequest({ method: "GET", path: "/v2/models/m" });

describe("the Check edge", () => {
  it("answers a decision that outlives the caller's deadline with an explicit 503 before the deadline", async () => {
    let calls = 0;
    const { decisions, client } = await serve({
      // The first call warms the connection (Envoy keeps one open); the second never decides.
      decide: () => (++calls === 1 ? Promise.resolve(denialWithoutContext("policy_no_match", "warm-up", "w", 0)) : new Promise(() => {})),
    });
    await client.check(request);
    const started = Date.now();
    const response = await client.check(request, 300);
    expect(Date.now() - started).toBeLessThan(300);
    expect(response.status?.code).toBe(14);
    expect(response.denied_response?.status?.code).toBe("ServiceUnavailable");
    expect(JSON.parse(response.denied_response?.body ?? "{}").reason).toBe("deadline_exceeded");
    expect(decisions.map((d) => d.reason)).toEqual(["policy_no_match", "deadline_exceeded"]);
  });

  it("aborts the pipeline's cancellation signal when it answers the deadline, so nothing is charged after", async () => {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const { client } = await serve({
      decide: (_raw, cancel) => {
        signals.push(cancel);
        return ++calls === 1 ? Promise.resolve(denialWithoutContext("policy_no_match", "warm-up", "w", 0)) : new Promise(() => {});
      },
    });
    await client.check(request);
    expect(JSON.parse((await client.check(request, 300)).denied_response?.body ?? "{}").reason).toBe("deadline_exceeded");
    expect(signals.map((s) => s.aborted)).toEqual([false, true]);
  });

  describe("CheckRequest size (maxReceiveBytes 64 KiB)", () => {
    const LIMIT = 64 * 1024;
    const withBody = (bytes: number) => buildCheckRequest({ method: "POST", path: "/v2/models/m/infer", body: "x".repeat(bytes) });

    it("answers a request over the limit with a 413 CheckResponse, without deciding it", async () => {
      let decided = 0;
      const { decisions, client } = await serve({
        maxReceiveBytes: LIMIT,
        decide: () => (++decided, Promise.resolve(denialWithoutContext("policy_no_match", "decided", "d", 0))),
      });
      const response = await client.check(withBody(LIMIT + 1));
      expect(response.status?.code).toBe(3);
      expect(response.denied_response?.status?.code).toBe("PayloadTooLarge");
      const body = JSON.parse(response.denied_response?.body ?? "{}") as { reason: string; detail: string };
      expect(body.reason).toBe("request_too_large");
      expect(body.detail).toContain(`at most ${LIMIT}`);
      expect(decided).toBe(0);
      expect(decisions.map((d) => d.reason)).toEqual(["request_too_large"]);
      // Under the limit, the same request is decided.
      expect(JSON.parse((await client.check(withBody(LIMIT - 1024))).denied_response?.body ?? "{}").reason).toBe("policy_no_match");
    });

    it("leaves only messages above the transport cap (4 × the limit) to grpc-js' RESOURCE_EXHAUSTED", async () => {
      const { client } = await serve({ maxReceiveBytes: LIMIT });
      expect(JSON.parse((await client.check(withBody(3 * LIMIT))).denied_response?.body ?? "{}").reason).toBe("request_too_large");
      await expect(client.check(withBody(5 * LIMIT))).rejects.toMatchObject({ code: 8 });
    });
  });

  it("turns a bug in the pipeline into internal_error and reports it", async () => {
    const { errors, client } = await serve({ decide: () => Promise.reject(new Error("boom")) });
    const response = await client.check(request);
    expect(response.status?.code).toBe(14);
    expect(JSON.parse(response.denied_response?.body ?? "{}").reason).toBe("internal_error");
    expect(String(errors[0])).toContain("boom");
  });

  it("sheds load beyond maxInFlight with an immediate overloaded denial", async () => {
    const { client } = await serve({ maxInFlight: 1 });
    const first = client.check(request, 400).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    const second = await client.check(request, 400);
    expect(JSON.parse(second.denied_response?.body ?? "{}").reason).toBe("overloaded");
    await first;
  });

  it("finishes in-flight checks during a graceful shutdown", async () => {
    let release: (d: Decision) => void = () => {};
    const pending = new Promise<Decision>((r) => (release = r));
    const { client } = await serve({ decide: () => pending });
    const answer = client.check(request, 5000);
    await new Promise((r) => setTimeout(r, 50));
    const stopping = (server as AuthzServer).shutdown(3000);
    release(denialWithoutContext("policy_no_match", "test", "id-1", Date.now()));
    const response = await answer;
    await stopping;
    expect(response.status?.code).toBe(7);
    server = undefined;
  });
});
