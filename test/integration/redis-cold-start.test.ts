import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { connectAuthz, reasonOf, type AuthzClient } from "./helpers/authz-client.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";
import { spawnServe, untilReady, writeServeDir, type ServeDir, type ServeProcess } from "./helpers/serve-process.ts";
import { FIXTURE_KEYS, FRAUD_POLICY } from "./fixtures.ts";

// Fresh replicas on one Redis, as in a rolling update or a scale-up: each is sent a concurrent
// burst the moment its /readyz turns 200. A cold process (JIT, first script call, a busy event
// loop) must not hand requests to the local fallback: the limit (5 a minute) holds across all
// of them, with the default 10 ms limiter deadline.

const REPLICAS = 3;
const BURST = 16;

const infer = (key: string) =>
  buildCheckRequest({ method: "POST", path: "/v2/models/fraud-detector/infer", headers: { "x-api-key": key } });

// The reason of every answer in one burst.
async function burst(client: AuthzClient, key: string): Promise<string[]> {
  const answers = await Promise.all(Array.from({ length: BURST }, () => client.check(infer(key))));
  return answers.map(reasonOf);
}

describe("fresh replicas turning ready on one Redis", () => {
  let redis: RedisProcess;
  let dir: ServeDir;

  beforeAll(async () => {
    redis = await startRedis();
    dir = writeServeDir(FRAUD_POLICY, FIXTURE_KEYS, { limiter: { redis: { url: redis.url } } });
  });

  afterAll(async () => {
    dir?.remove();
    await redis?.stop();
  });

  it("a burst right after each turns ready admits exactly the limit across them", async () => {
    const servers: ServeProcess[] = [];
    const clients: AuthzClient[] = [];
    try {
      // Started together, burst each the moment it is ready, all on the same identity.
      const bursts = Array.from({ length: REPLICAS }, async () => {
        const server = await spawnServe(dir.configPath);
        servers.push(server);
        await untilReady(server);
        const client = connectAuthz(`127.0.0.1:${server.grpcPort}`);
        clients.push(client);
        return burst(client, dir.keys["scientist"] as string);
      });
      const reasons = (await Promise.all(bursts)).flat();
      expect(
        reasons.filter((r) => r === "allowed"),
        reasons.join(" "),
      ).toHaveLength(5);
      expect(reasons.filter((r) => r !== "allowed" && r !== "rate_limited")).toEqual([]);
      for (const server of servers) {
        const fallbacks = server.logs.filter((l) => String(l["msg"]).includes("local limiter"));
        expect(fallbacks).toEqual([]);
      }
    } finally {
      for (const c of clients) c.close();
      await Promise.all(servers.map((s) => s.stop()));
    }
  }, 180_000);
});
