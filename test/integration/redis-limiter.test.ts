import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIMITER_LUA } from "../../src/adapters/limiter/limiter-lua.ts";
import type { RedisConnection } from "../../src/adapters/limiter/redis-connection.ts";
import type { RedisLimiter, RedisOutcome } from "../../src/adapters/limiter/redis-limiter.ts";
import type { ChargeRequest } from "../../src/core/limit/limiter-port.ts";
import { box, charge, connect, freshTag, limit, metricValue, request, resilient } from "./helpers/redis-limiter-kit.ts";
import { errorCount, scriptCalls } from "./helpers/redis-stats.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";

// The Redis limiter against a real redis-server: one script call per request, TTLs set in the
// same write, denied requests consume nothing, NOSCRIPT recovery, penalty box, shadow mode,
// the deny cache and window edges.

let redis: RedisProcess;
let connection: RedisConnection;
let limiter: RedisLimiter;
let admin: Redis;

beforeAll(async () => {
  redis = await startRedis();
  ({ connection, limiter } = await connect(redis.url));
  admin = redis.admin();
});

afterAll(async () => {
  await connection?.close();
  await redis?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function outcome(req: ChargeRequest): Promise<RedisOutcome> {
  const result = await limiter.tryCharge(req);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe("one atomic script call", () => {
  it("checks and charges every limit of a request in one round trip, each key with a TTL up to its TAT", async () => {
    const tag = freshTag();
    const charges = [
      charge(tag, limit("burst", 5, 1_000)),
      charge(tag, limit("minute", 5, 60_000)),
      charge(tag, limit("hour", 20, 3_600_000)),
    ];
    const before = await scriptCalls(admin);
    const first = await outcome(request(charges));
    expect(await scriptCalls(admin)).toBe(before + 1);
    expect(first.verdict).toMatchObject({ kind: "allowed", states: [{ remaining: 4 }, { remaining: 4 }, { remaining: 19 }] });
    const ttls = await Promise.all(charges.map((c) => admin.pttl(c.key)));
    const resets = [200, 12_000, 180_000];
    ttls.forEach((ttl, i) => {
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual((resets[i] ?? 0) + 1);
    });
  });

  it("a denied request leaves every counter and TTL unchanged, including limits it passed", async () => {
    const tag = freshTag();
    const charges = [
      charge(tag, limit("one", 1, 60_000)),
      charge(tag, limit("ten", 10, 60_000)),
      charge(tag, limit("dark", 1, 60_000, { shadow: true })),
    ];
    await outcome(request(charges));
    const raw = async () => Promise.all(charges.map(async (c) => [await admin.get(c.key), await admin.pttl(c.key)] as const));
    const before = await raw();
    const denied = await outcome(request(charges));
    expect(denied.verdict).toMatchObject({ kind: "limited", violated: ["one"] });
    const after = await raw();
    after.forEach(([value, ttl], i) => {
      expect(value).toBe(before[i]?.[0]);
      expect(ttl).toBeLessThanOrEqual(before[i]?.[1] ?? 0);
    });
    // The passing limit reports what stays: nothing was taken from it.
    expect(denied.verdict.states[1]).toMatchObject({ name: "ten", remaining: 9 });
  });

  it("charges a weighted request `cost` units, all or nothing", async () => {
    const tag = freshTag();
    const minute = [charge(tag, limit("minute", 5, 60_000))];
    expect((await outcome(request(minute, { cost: 3 }))).verdict).toMatchObject({ kind: "allowed", states: [{ remaining: 2 }] });
    expect((await outcome(request(minute, { cost: 3 }))).verdict).toMatchObject({ kind: "limited", states: [{ remaining: 2 }] });
    expect((await outcome(request(minute, { cost: 2 }))).verdict).toMatchObject({ kind: "allowed", states: [{ remaining: 0 }] });
  });
});

describe("NOSCRIPT", () => {
  it("after SCRIPT FLUSH, the very next request is still answered by Redis (EVALSHA fails, EVAL runs)", async () => {
    const handle = await resilient(redis.url, { deadline: "500ms" });
    try {
      const charges = [charge(freshTag(), limit("minute", 5, 60_000))];
      expect((await handle.limiter.charge(request(charges))).kind).toBe("allowed");
      await admin.script("FLUSH");
      const noscript = await errorCount(admin, "NOSCRIPT");
      const verdict = await handle.limiter.charge(request(charges));
      expect(verdict).toMatchObject({ kind: "allowed", mode: "redis", states: [{ remaining: 3 }] });
      expect(await errorCount(admin, "NOSCRIPT")).toBe(noscript + 1);
      expect(await metricValue(handle.registry, "modelgate_limiter_fallback_total")).toBe(0);
      const sha = createHash("sha1").update(LIMITER_LUA).digest("hex");
      expect(await admin.script("EXISTS", sha)).toEqual([1]);
    } finally {
      await handle.close();
    }
  });
});

describe("penalty box", () => {
  const spec = { violations: 2, withinMs: 5_000, blockMs: 150, maxBlockMs: 600 };

  // Exhausts the 1-per-hour limit and returns the verdict of the request that ends the streak.
  async function violateTwice(tag: string) {
    const req = request([charge(tag, limit("hour", 1, 3_600_000))], { penaltyBox: box(tag, spec) });
    const first = await outcome(req);
    if (first.verdict.kind === "allowed") return outcome(req).then(() => outcome(req));
    return outcome(req);
  }

  it("blocks after N violations, doubles the block on repeat up to maxBlock, and forgets after maxBlock", async () => {
    const tag = freshTag();
    const blocks: number[] = [];
    for (let i = 0; i < 4; i++) {
      const started = await violateTwice(tag);
      expect(started).toMatchObject({ blockStarted: true, verdict: { kind: "blocked" } });
      blocks.push(started.blockMs);
      const during = await outcome(request([charge(tag, limit("hour", 1, 3_600_000))], { penaltyBox: box(tag, spec) }));
      expect(during).toMatchObject({ blockStarted: false, verdict: { kind: "blocked" } });
      expect(during.blockMs).toBeLessThanOrEqual(started.blockMs);
      await sleep(started.blockMs + 20);
    }
    expect(blocks).toEqual([150, 300, 600, 600]);
    expect(await admin.pttl(`mg:pb:{${tag}}:policy`)).toBeGreaterThan(0);
    await sleep(600 + 50); // maxBlock of good behaviour after the last block ended
    expect((await violateTwice(tag)).blockMs).toBe(150);
  });

  // A caller answered deadline_exceeded was not told it went over: our slowness is no strike.
  describe("a violation Redis counted after the caller's deadline answer went out", () => {
    const cancelled = { aborted: true };
    const hourly = (tag: string) => request([charge(tag, limit("hour", 1, 3_600_000))], { penaltyBox: box(tag, spec) });

    async function waitForField(tag: string, field: string, want: string) {
      const key = `mg:pb:{${tag}}:policy`;
      for (let i = 0; i < 100 && ((await admin.hget(key, field)) ?? "0") !== want; i++) await sleep(20);
      return (await admin.hget(key, field)) ?? "0";
    }

    it("is taken back: the next violation is the first of the streak", async () => {
      const tag = freshTag();
      expect((await outcome(hourly(tag))).verdict.kind).toBe("allowed");
      const late = await limiter.tryCharge(hourly(tag), cancelled);
      expect(late.ok && late.value.verdict.kind).toBe("limited");
      expect(await waitForField(tag, "c", "0")).toBe("0");
      expect((await outcome(hourly(tag))).verdict.kind).toBe("limited");
      expect(await outcome(hourly(tag))).toMatchObject({ blockStarted: true, blockMs: 150 });
    });

    it("takes back the block it started, so the caller is one violation short of it again", async () => {
      const tag = freshTag();
      expect((await outcome(hourly(tag))).verdict.kind).toBe("allowed");
      expect((await outcome(hourly(tag))).verdict.kind).toBe("limited");
      const late = await limiter.tryCharge(hourly(tag), cancelled);
      expect(late.ok && late.value).toMatchObject({ blockStarted: false, blockMs: 0 });
      expect(await waitForField(tag, "b", "0")).toBe("0");
      // Still one strike in the window: the next violation starts the first block, not the second.
      expect(await outcome(hourly(tag))).toMatchObject({ blockStarted: true, blockMs: 150 });
    });
  });

  it("the blocked verdict reports every limit at r=0 until the block ends", async () => {
    const tag = freshTag();
    const started = await violateTwice(tag);
    expect(started.verdict).toEqual({
      kind: "blocked",
      by: "penalty_box",
      mode: "redis",
      retryAfterSeconds: 0.15,
      states: [{ name: "hour", quota: 1, windowSeconds: 3600, remaining: 0, resetSeconds: 0.15 }],
    });
  });
});

describe("shadow mode", () => {
  it("a shadow limit counts and is reported, but never denies", async () => {
    const tag = freshTag();
    const charges = [charge(tag, limit("enforced", 4, 60_000)), charge(tag, limit("dark", 2, 60_000, { shadow: true }))];
    const verdicts = [];
    for (let i = 0; i < 5; i++) verdicts.push((await outcome(request(charges))).verdict);
    expect(verdicts.map((v) => v.kind)).toEqual(["allowed", "allowed", "allowed", "allowed", "limited"]);
    expect(verdicts.map((v) => (v.kind === "allowed" ? (v.shadowed ?? []).join() : "-"))).toEqual(["", "", "dark", "dark", "-"]);
    expect(verdicts[3]?.states[1]).toMatchObject({ name: "dark", remaining: 0, shadow: true });
  });

  it("the global switch turns every limit into a shadow limit and the penalty box off", async () => {
    const handle = await resilient(redis.url, { deadline: "500ms", shadow: true });
    try {
      const tag = freshTag();
      const req = request([charge(tag, limit("minute", 1, 60_000))], {
        penaltyBox: box(tag, { violations: 1, withinMs: 60_000, blockMs: 60_000, maxBlockMs: 60_000 }),
      });
      const kinds = [];
      for (let i = 0; i < 3; i++) kinds.push(await handle.limiter.charge(req));
      expect(kinds.map((v) => v.kind)).toEqual(["allowed", "allowed", "allowed"]);
      expect(await metricValue(handle.registry, "modelgate_limiter_shadow_over_limit_total")).toBe(2);
      expect(await admin.exists(`mg:pb:{${tag}}:policy`)).toBe(0);
    } finally {
      await handle.close();
    }
  });
});

describe("deny cache", () => {
  it("answers a hot over-limit caller locally until its own retry-after, then asks Redis again", async () => {
    const handle = await resilient(redis.url, { deadline: "500ms" });
    try {
      const req = request([charge(freshTag(), limit("slow", 1, 400))]);
      expect((await handle.limiter.charge(req)).kind).toBe("allowed");
      const first = await handle.limiter.charge(req);
      expect(first).toMatchObject({ kind: "limited", mode: "redis" });
      const calls = await scriptCalls(admin);
      let limited = 0;
      for (let i = 0; i < 200; i++) if ((await handle.limiter.charge(req)).kind === "limited") limited++;
      expect(limited).toBe(200);
      // The 200 denials cost (at most a couple of) Redis calls, well under the 5 % of T11.
      expect((await scriptCalls(admin)) - calls).toBeLessThanOrEqual(2);
      expect(await metricValue(handle.registry, "modelgate_limiter_verdicts_total", { source: "cache" })).toBeGreaterThanOrEqual(198);
      await sleep(first.kind === "limited" ? first.retryAfterSeconds * 1000 + 5 : 0);
      expect(await handle.limiter.charge(req)).toMatchObject({ kind: "allowed", mode: "redis" });
    } finally {
      await handle.close();
    }
  });
});

describe("window edges", () => {
  it("two volleys around a Redis clock second boundary get no more than anywhere else", async () => {
    const tag = freshTag();
    const spec = limit("second", 10, 1_000); // what a fixed window would admit twice at its edge
    const charges = [charge(tag, spec)];
    const [seconds = "0", micros = "0"] = (await admin.time()).map(String);
    const nowMs = Number(seconds) * 1000 + Number(micros) / 1000;
    await sleep(1000 - (nowMs % 1000) + 1000 - 8); // 8 ms before the next-but-one boundary
    const volley = () => Promise.all(Array.from({ length: 10 }, () => outcome(request(charges))));
    const before = await volley();
    await sleep(16);
    const after = await volley();
    const admitted = [...before, ...after].filter((o) => o.verdict.kind === "allowed").map((o) => o.nowMs);
    const span = Math.max(...admitted) - Math.min(...admitted);
    // GCRA: burst, plus one per emission interval (100 ms) that actually passed.
    expect(admitted.length).toBeLessThanOrEqual(10 + Math.floor(span / 100));
    expect(admitted.length).toBeLessThan(20);
  });
});
