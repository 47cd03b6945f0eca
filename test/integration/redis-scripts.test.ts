import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIMITER_LUA } from "../../src/adapters/limiter/limiter-lua.ts";
import { SANCTION_LUA } from "../../src/adapters/limiter/sanction-lua.ts";
import { connectRedis, type RedisConnection } from "../../src/adapters/limiter/redis-connection.ts";
import { parseRedisUrl } from "../../src/core/redis-url.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";

// The limiter scripts are in Redis' script cache before the connection counts as prepared, and
// again after Redis restarts empty (a restart flushes the cache).

const sha = (lua: string) => createHash("sha1").update(lua).digest("hex");
const SHAS = [sha(LIMITER_LUA), sha(SANCTION_LUA)];

describe("limiter scripts loaded at connect and after a reconnect", () => {
  let redis: RedisProcess;
  let connection: RedisConnection;
  let prepared = 0;

  beforeAll(async () => {
    redis = await startRedis();
    const target = parseRedisUrl(redis.url);
    if (!target.ok) throw new Error(target.error);
    connection = connectRedis(target.value, {
      commandTimeoutMs: 2000,
      connectTimeoutMs: 2000,
      onError: () => undefined,
      onPrepared: () => void (prepared += 1),
    });
  });

  afterAll(async () => {
    await connection?.close();
    await redis?.stop();
  });

  it("is prepared only once both scripts are cached, and reloads them into a restarted Redis", async () => {
    expect(await connection.whenPrepared(10_000)).toBe(true);
    expect(connection.prepared()).toBe(true);
    expect(await redis.admin().script("EXISTS", ...SHAS)).toEqual([1, 1]);
    await redis.restart();
    const admin = redis.admin();
    let cached: unknown = [0, 0];
    for (let i = 0; i < 100 && JSON.stringify(cached) !== "[1,1]"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      cached = await admin.script("EXISTS", ...SHAS).catch(() => [0, 0]);
    }
    expect(cached).toEqual([1, 1]);
    expect(connection.prepared()).toBe(true);
    expect(prepared).toBe(1); // the first preparation is the one that counts
  });
});
