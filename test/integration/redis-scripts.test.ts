import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIMITER_LUA } from "../../src/adapters/limiter/limiter-lua.ts";
import { SANCTION_LUA } from "../../src/adapters/limiter/sanction-lua.ts";
import { connectRedis, type RedisConnection } from "../../src/adapters/limiter/redis-connection.ts";
import { RedisLimiter } from "../../src/adapters/limiter/redis-limiter.ts";
import { parseRedisUrl } from "../../src/core/redis-url.ts";
import { charge, freshTag, limit, request } from "./helpers/redis-limiter-kit.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";

// The limiter scripts are in Redis' script cache before the connection counts as prepared, again
// after Redis restarts empty (a restart flushes the cache), and after a load Redis refused.

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

// A SCRIPT LOAD refused while the client stays connected (here by an ACL that forbids it, lifted
// later) gets no "ready" event to try again on: prepare-scripts.ts retries by itself. Meanwhile the
// limiter still answers (EVALSHA meets NOSCRIPT, EVAL runs), and once the load goes through the
// connection is prepared with both scripts cached.
describe("a script load refused on a live connection", () => {
  let redis: RedisProcess;
  let connection: RedisConnection;
  const errors: string[] = [];
  let prepared = 0;

  beforeAll(async () => {
    redis = await startRedis();
    await redis.admin().call("ACL", "SETUSER", "limiter", "on", ">limiter-secret", "~*", "&*", "+@all", "-script|load");
    const target = parseRedisUrl(`redis://limiter:limiter-secret@127.0.0.1:${redis.port}`);
    if (!target.ok) throw new Error(target.error);
    connection = connectRedis(target.value, {
      commandTimeoutMs: 2000,
      connectTimeoutMs: 2000,
      onError: (error) => void errors.push(error.message),
      onPrepared: () => void (prepared += 1),
    });
  });

  afterAll(async () => {
    await connection?.close();
    await redis?.stop();
  });

  it("is retried until it succeeds, and the limiter decides correctly throughout", async () => {
    for (let i = 0; i < 200 && !errors.some((e) => e.includes("NOPERM")); i++) await new Promise((r) => setTimeout(r, 25));
    expect(errors.filter((e) => e.includes("NOPERM")).length).toBeGreaterThan(0);
    expect(connection.prepared()).toBe(false);
    expect(connection.client.status).toBe("ready");

    const limiter = new RedisLimiter(connection);
    const tag = freshTag();
    const req = request([charge(tag, limit("minute", 2, 60_000))]);
    const first = await limiter.tryCharge(req);
    expect(first.ok && first.value.verdict.kind).toBe("allowed"); // NOSCRIPT, then EVAL

    await redis.admin().call("ACL", "SETUSER", "limiter", "+script|load");
    expect(await connection.whenPrepared(10_000)).toBe(true);
    expect(await redis.admin().script("EXISTS", ...SHAS)).toEqual([1, 1]);
    expect(prepared).toBe(1);
    expect(connection.client.status).toBe("ready"); // no reconnect was needed

    const kinds = [];
    for (let i = 0; i < 2; i++) {
      const next = await limiter.tryCharge(req);
      kinds.push(next.ok ? next.value.verdict.kind : next.error);
    }
    expect(kinds).toEqual(["allowed", "limited"]);
  });
});

// The script's last section is the denied charge, which counts a penalty-box violation. An op the
// script does not know must be refused before it, not run as that section.
describe("the limiter script given an op it does not know", () => {
  let redis: RedisProcess;

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await redis?.stop();
  });

  it("is refused with the op named, and writes nothing", async () => {
    const admin = redis.admin();
    const box = `mg:pb:{${freshTag()}}`;
    const limitKey = `mg:rl:{${freshTag()}}:minute`;
    // box flag on, 1 violation blocks: the denied-charge section would block at once
    const args = ["refund", "1", "1", "0", "1", "1024000", "1024000", "8192000", "0", "1000", "62", "5", "0", "0"];
    await expect(admin.eval(LIMITER_LUA, 2, box, limitKey, ...args)).rejects.toThrow(/unknown op refund/);
    expect(await admin.exists(box, limitKey)).toBe(0);
  });
});
