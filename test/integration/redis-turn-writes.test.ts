import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { LIMITER_LUA } from "../../src/adapters/limiter/limiter-lua.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisConnection } from "../../src/adapters/limiter/redis-connection.ts";
import type { RedisLimiter } from "../../src/adapters/limiter/redis-limiter.ts";
import type { ChargeRequest, LimitVerdict } from "../../src/core/limit/limiter-port.ts";
import { turnWrites } from "../../src/adapters/redis/turn-writes.ts";
import { charge, connect, freshTag, limit, request } from "./helpers/redis-limiter-kit.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";
import { startRedisCluster, type RedisClusterProcess } from "./helpers/redis-cluster.ts";

// The commands a client is given in one turn of the event loop reach Redis in one write, read by
// Redis with one read event (its own `total_reads_processed` counter, which also counts the INFO
// that reads it). Sent one write per command, the same calls are read by a Redis on another core
// as they arrive, in many reads. After a reconnect the new socket is the one held. On a Cluster
// each primary is sent its share of a turn in one write.

const CALLS = 40;

async function readsProcessed(admin: Redis): Promise<number> {
  const info = await admin.info("stats");
  const value = /total_reads_processed:(\d+)/.exec(info)?.[1];
  if (value === undefined) throw new Error("redis INFO has no total_reads_processed");
  return Number(value);
}

// Redis' read events while `send` runs, less the one that reads the closing INFO, and what it sent.
async function readsDuring<T>(admin: Redis, send: () => Promise<T>): Promise<{ reads: number; sent: T }> {
  const before = await readsProcessed(admin);
  const sent = await send();
  return { reads: (await readsProcessed(admin)) - before - 1, sent };
}

// CALLS charges of one request, all started in the same turn.
function chargeInOneTurn(limiter: RedisLimiter, one: ChargeRequest): Promise<LimitVerdict[]> {
  return Promise.all(Array.from({ length: CALLS }, () => limiter.charge(one)));
}

describe("one write per event-loop turn (turn-writes.ts)", () => {
  let redis: RedisProcess;
  let admin: Redis;
  let connection: RedisConnection;
  let limiter: RedisLimiter;

  beforeAll(async () => {
    redis = await startRedis();
    admin = redis.admin();
    ({ connection, limiter } = await connect(redis.url));
    expect(await connection.whenPrepared(10_000)).toBe(true);
  });

  afterAll(async () => {
    await connection?.close();
    await redis?.stop();
  });

  it("sends a turn's limiter charges together, each answered with its own count", async () => {
    const spec = limit("minute", 1000, 60_000);
    const one = request([charge(freshTag(), spec)]);
    const { reads, sent: verdicts } = await readsDuring(admin, () => chargeInOneTurn(limiter, one));
    expect(reads).toBeLessThanOrEqual(2);
    const remaining = verdicts.map((v) => (v.kind === "allowed" ? v.states[0]?.remaining : v.kind));
    // every charge counted once, in the order sent: 999 down to 960
    expect(remaining).toEqual(Array.from({ length: CALLS }, (_, i) => 1000 - 1 - i));
  });

  it("lets a call made alone go out at the end of its turn", async () => {
    const started = performance.now();
    const verdict = await limiter.charge(request([charge(freshTag(), limit("alone", 5, 60_000))]));
    expect(verdict.kind).toBe("allowed");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("holds the new socket after Redis restarts and the client reconnects", async () => {
    await redis.restart();
    const fresh = redis.admin();
    // reconnected, and the scripts loaded again (else the first charges also send EVAL)
    const limiterSha = createHash("sha1").update(LIMITER_LUA).digest("hex");
    for (let i = 0; i < 200; i++) {
      const cached = await fresh.script("EXISTS", limiterSha).catch(() => [0]);
      if (connection.client.status === "ready" && JSON.stringify(cached) === "[1]") break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const one = request([charge(freshTag(), limit("after", 1000, 60_000))]);
    const { reads, sent: verdicts } = await readsDuring(fresh, () => chargeInOneTurn(limiter, one));
    expect(reads).toBeLessThanOrEqual(2);
    expect(verdicts.every((v) => v.kind === "allowed")).toBe(true);
  });

  it("batches any standalone client it is given", async () => {
    const client = new Redis({ port: redis.port, host: "127.0.0.1", enableAutoPipelining: false, lazyConnect: true });
    await client.connect();
    try {
      const hold = turnWrites(client);
      const { reads: batched } = await readsDuring(admin, () =>
        Promise.all(
          Array.from({ length: CALLS }, (_, i) => {
            hold();
            return client.set(`turn:${i}`, String(i));
          }),
        ),
      );
      expect(batched).toBeLessThanOrEqual(2);
      expect(await client.mget(...Array.from({ length: CALLS }, (_, i) => `turn:${i}`))).toEqual(
        Array.from({ length: CALLS }, (_, i) => String(i)),
      );
    } finally {
      client.disconnect();
    }
  });
});

describe("one write per event-loop turn and node, on a Redis Cluster", () => {
  let cluster: RedisClusterProcess;
  let admins: Redis[];
  let connection: RedisConnection;
  let limiter: RedisLimiter;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    admins = cluster.ports.map((port) => new Redis({ port, host: "127.0.0.1" }));
    ({ connection, limiter } = await connect(cluster.url));
    expect(await connection.whenPrepared(10_000)).toBe(true);
  }, 60_000);

  afterAll(async () => {
    for (const admin of admins ?? []) admin.disconnect();
    await connection?.close();
    await cluster?.stop();
  });

  it("sends a turn's charges for one caller (one slot, one node) together", async () => {
    const one = request([charge(freshTag(), limit("minute", 1000, 60_000))]);
    const before = await Promise.all(admins.map(readsProcessed));
    const verdicts = await chargeInOneTurn(limiter, one);
    const after = await Promise.all(admins.map(readsProcessed));
    // less the INFO that reads each node's counter
    const reads = after.reduce((sum, n, i) => sum + n - (before[i] ?? 0) - 1, 0);
    expect(reads).toBeLessThanOrEqual(2);
    const remaining = verdicts.map((v) => (v.kind === "allowed" ? v.states[0]?.remaining : v.kind));
    expect(remaining).toEqual(Array.from({ length: CALLS }, (_, i) => 1000 - 1 - i));
  });

  it("sends each node its share of a turn spread over many callers", async () => {
    const requests = Array.from({ length: CALLS }, () => request([charge(freshTag(), limit("spread", 10, 60_000))]));
    const before = await Promise.all(admins.map(readsProcessed));
    const verdicts = await Promise.all(requests.map((r) => limiter.charge(r)));
    const after = await Promise.all(admins.map(readsProcessed));
    const perNode = after.map((n, i) => n - (before[i] ?? 0) - 1);
    expect(
      perNode.every((reads) => reads <= 2),
      `reads per node ${perNode.join(", ")}`,
    ).toBe(true);
    expect(verdicts.every((v) => v.kind === "allowed")).toBe(true);
  });
});
