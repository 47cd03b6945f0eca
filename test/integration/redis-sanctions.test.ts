import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sanctionResponder } from "../../src/adapters/anomaly/sanction-responder.ts";
import { sanctionKey } from "../../src/core/limit/limit-keys.ts";
import { LocalLimiter } from "../../src/adapters/limiter/local-limiter.ts";
import { redisSanctions } from "../../src/adapters/limiter/redis-sanctions.ts";
import { charge, connect, freshTag, limit, request, resilient } from "./helpers/redis-limiter-kit.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";

// Sanctions through the whole Redis limiter (breaker, deny cache, local fallback), written the
// way the anomaly detector writes them: by the responder, keyed by the identity.

let redis: RedisProcess;
let handle: Awaited<ReturnType<typeof resilient>>;

beforeAll(async () => {
  redis = await startRedis();
  handle = await resilient(redis.url, { deadline: "50ms", breaker: { failures: 1, openFor: "10s" } });
});

afterAll(async () => {
  await handle?.close();
  await redis?.stop();
});

const identity = (subject: string) => ({ method: "apikey" as const, subject, issuer: "", keyId: "k", groups: [], attributes: {} });
const target = (subject: string) => ({ rule: "volume" as const, identity: identity(subject), policy: undefined, decisionId: "d" });

describe("anomaly sanctions in the Redis limiter", () => {
  it("a block lands in Redis with a TTL of its period and stops the identity's requests", async () => {
    const who = `blocked-${freshTag()}`;
    await sanctionResponder(handle.sanctions).block(target(who), 5_000);
    const key = sanctionKey(identity(who));
    const ttl = await redis.admin().pttl(key);
    expect(ttl).toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(5_001);
    const verdict = await handle.limiter.charge(request([], { sanction: key }));
    expect(verdict).toMatchObject({ kind: "blocked", by: "anomaly", mode: "redis" });
    expect(verdict.kind === "blocked" && verdict.retryAfterSeconds).toBeGreaterThan(4);
    expect((await handle.limiter.charge(request([], { sanction: sanctionKey(identity(`other-${freshTag()}`)) }))).kind).toBe("allowed");
  });

  it("lowered limits apply to the identity's own counters through Redis", async () => {
    const who = `lowered-${freshTag()}`;
    await sanctionResponder(handle.sanctions).lowerLimits(target(who), 0.5, 60_000);
    const tag = freshTag();
    const charges = [{ ...charge(tag, limit("minute", 4, 60_000)), callerOwned: true }];
    const sanction = sanctionKey(identity(who));
    const kinds = [];
    for (let i = 0; i < 3; i++) kinds.push((await handle.limiter.charge(request(charges, { sanction }))).kind);
    expect(kinds).toEqual(["allowed", "allowed", "limited"]);
  });

  it("the replica that raised a block keeps enforcing it while Redis cannot answer", async () => {
    const who = `offline-${freshTag()}`;
    await sanctionResponder(handle.sanctions).block(target(who), 60_000);
    redis.freeze();
    try {
      const verdict = await handle.limiter.charge(request([], { sanction: sanctionKey(identity(who)) }));
      expect(verdict).toMatchObject({ kind: "blocked", by: "anomaly", mode: "local" });
    } finally {
      redis.thaw();
    }
  });
});

describe("a sanction Redis could not take", () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("is written on retry once Redis is back, with what is left of its period", async () => {
    const { connection } = await connect(redis.url, 200);
    const outcomes: string[] = [];
    const port = redisSanctions(connection, new LocalLimiter({ now: Date.now }), {
      delaysMs: [200, 200, 200, 200, 200, 200, 200, 200],
      now: () => performance.now(),
      onRetried: (_k, o) => void outcomes.push(o),
    });
    const key = sanctionKey(identity(`retried-${freshTag()}`));
    await redis.kill();
    try {
      await expect(port.impose(key, { kind: "block", periodMs: 60_000 })).rejects.toThrow();
    } finally {
      await redis.restart();
    }
    for (let i = 0; i < 40 && outcomes.length === 0; i++) await sleep(100);
    expect(outcomes).toEqual(["applied"]);
    const ttl = await redis.admin().pttl(key);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThan(60_000);
    await connection.close();
  });

  it("gives up after its last retry", async () => {
    const { connection } = await connect(redis.url, 200);
    const outcomes: string[] = [];
    const port = redisSanctions(connection, new LocalLimiter({ now: Date.now }), {
      delaysMs: [50, 50],
      now: () => performance.now(),
      onRetried: (_k, o) => void outcomes.push(o),
    });
    await redis.kill();
    try {
      await expect(port.impose(sanctionKey(identity(`lost-${freshTag()}`)), { kind: "block", periodMs: 60_000 })).rejects.toThrow();
      for (let i = 0; i < 30 && outcomes.length === 0; i++) await sleep(50);
      expect(outcomes).toEqual(["gave_up"]);
    } finally {
      await redis.restart();
      await connection.close();
    }
  });
});
