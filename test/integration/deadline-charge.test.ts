import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { connectAuthz, reasonOf, type AuthzClient } from "./helpers/authz-client.ts";
import { startFixtureServer, type FixtureServer } from "./helpers/fixture-server.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";
import { FIXTURE_KEYS, FRAUD_POLICY } from "./fixtures.ts";

// A request answered `deadline_exceeded` consumes no quota: Redis is frozen while the limiter
// call is in flight, the gRPC deadline (a short one) is answered, Redis is thawed and charges the
// call, and that charge is given back. Afterwards the caller still has its whole limit (5 a
// minute) — before the fix it had 4.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const infer = (key: string) =>
  buildCheckRequest({ method: "POST", path: "/v2/models/fraud-detector/infer", headers: { "x-api-key": key } });

describe("a request answered deadline_exceeded", () => {
  let redis: RedisProcess;
  let fixture: FixtureServer;
  let client: AuthzClient;

  beforeAll(async () => {
    redis = await startRedis();
    fixture = await startFixtureServer({
      policyYaml: FRAUD_POLICY,
      keys: FIXTURE_KEYS,
      // The limiter waits longer than the caller: the gRPC deadline is what runs out.
      config: { limiter: { redis: { url: redis.url, deadline: "1s", breaker: { failures: 100, openFor: "1s" } } } },
    });
    client = connectAuthz(fixture.tcpTarget);
  });

  afterAll(async () => {
    client?.close();
    await fixture?.stop();
    await redis?.stop();
  });

  it("charges nothing: the caller still has its whole limit afterwards", async () => {
    const key = fixture.keys["scientist"] as string;
    // Open the channel first (no limiter call for a caller without a rule), so the short
    // deadline below is spent on the decision, not on connecting.
    expect(reasonOf(await client.check(infer(fixture.keys["analyst"] as string)))).toBe("policy_no_match");
    redis.freeze();
    let late: string;
    try {
      // The server answers at 90 % of the caller's budget. 800 ms leaves that answer 80 ms to
      // reach the client before the client's own deadline fires (400 ms left 40 ms, which a
      // loaded machine once exceeded), and Redis is thawed well before the limiter's 1 s.
      late = reasonOf(await client.check(infer(key), 800));
      await sleep(100); // the limiter call is still waiting on the frozen Redis
    } finally {
      redis.thaw();
    }
    expect(late).toBe("deadline_exceeded");
    await sleep(500); // Redis answers the charge; the refund follows it
    const reasons = [];
    for (let i = 0; i < 6; i++) reasons.push(reasonOf(await client.check(infer(key))));
    expect(reasons).toEqual(["allowed", "allowed", "allowed", "allowed", "allowed", "rate_limited"]);
  });
});
