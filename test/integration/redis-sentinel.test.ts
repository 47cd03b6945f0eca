import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisLimiterHandle } from "../../src/wiring/create-redis-limiter.ts";
import { charge, freshTag, limit, request, resilient } from "./helpers/redis-limiter-kit.ts";
import { startSentinel, type SentinelProcess } from "./helpers/redis-sentinel.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";

// Redis behind Sentinel, selected by a redis+sentinel:// URL: the limiter asks Sentinel for the
// master and runs its script there.

let master: RedisProcess;
let sentinel: SentinelProcess;
let handle: RedisLimiterHandle;

beforeAll(async () => {
  master = await startRedis();
  sentinel = await startSentinel(master.port, "mymaster");
  handle = await resilient(sentinel.url("mymaster"), { deadline: "500ms" });
});

afterAll(async () => {
  await handle?.close();
  await sentinel?.stop();
  await master?.stop();
});

describe("Redis Sentinel", () => {
  it("charges on the master Sentinel names, with the same verdicts as standalone", async () => {
    const tag = freshTag();
    const req = request([charge(tag, limit("pair", 2, 60_000))]);
    const kinds = [];
    for (let i = 0; i < 3; i++) kinds.push(await handle.limiter.charge(req));
    expect(kinds.map((v) => [v.kind, v.kind === "unavailable" ? "-" : v.mode])).toEqual([
      ["allowed", "redis"],
      ["allowed", "redis"],
      ["limited", "redis"],
    ]);
    expect(await master.admin().pttl(`mg:rl:{${tag}}:pair`)).toBeGreaterThan(0);
  });
});
