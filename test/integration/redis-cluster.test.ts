import { createHash } from "node:crypto";
import { Cluster } from "ioredis";
import { LIMITER_LUA } from "../../src/adapters/limiter/limiter-lua.ts";
import { SANCTION_LUA } from "../../src/adapters/limiter/sanction-lua.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisConnection } from "../../src/adapters/limiter/redis-connection.ts";
import type { RedisLimiter, RedisOutcome } from "../../src/adapters/limiter/redis-limiter.ts";
import type { ChargeRequest } from "../../src/core/limit/limiter-port.ts";
import { accuracyConfigs, checkGcra, replayGcra, startCharger } from "./helpers/redis-chargers.ts";
import { startRedisCluster, type RedisClusterProcess } from "./helpers/redis-cluster.ts";
import { sanctionArgs } from "../../src/adapters/limiter/redis-sanctions.ts";
import { box, charge, connect, freshTag, limit, request } from "./helpers/redis-limiter-kit.ts";

// The same accuracy run on a three-primary Redis Cluster, plus what only a Cluster has: a
// request whose keys live in different slots (a per-identity limit and a per-org cap) is still
// all-or-nothing (a slot that charged gives it back when another denies), never CROSSSLOT,
// and its violations still reach the caller's penalty box.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RATE = limit("rate", 400, 1_000, { burst: 20 });

let cluster: RedisClusterProcess;
let connection: RedisConnection;
let limiter: RedisLimiter;
let admin: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
  ({ connection, limiter } = await connect(cluster.url));
  admin = new Cluster(cluster.ports.map((port) => ({ host: "127.0.0.1", port })));
}, 60_000);

afterAll(async () => {
  admin?.disconnect();
  await connection?.close();
  await cluster?.stop();
});

async function outcome(req: ChargeRequest): Promise<RedisOutcome> {
  const result = await limiter.tryCharge(req);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe("Redis Cluster of three primaries", () => {
  it("the limiter scripts are loaded into every primary before the connection counts as prepared", async () => {
    expect(await connection.whenPrepared(10_000)).toBe(true);
    const shas = [createHash("sha1").update(LIMITER_LUA).digest("hex"), createHash("sha1").update(SANCTION_LUA).digest("hex")];
    const perNode = await Promise.all(admin.nodes("master").map((node) => node.script("EXISTS", ...shas)));
    expect(perNode).toHaveLength(3);
    expect(perNode).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
  });

  it("accuracy: 1,000 callers in 3 processes, no over-admission, exactly what GCRA admits of the attempts", async () => {
    const reports = await Promise.all(accuracyConfigs(cluster.url, freshTag(), RATE, 5_000).map((c) => startCharger(c).done));
    expect(reports.map((r) => r?.errors)).toEqual([0, 0, 0]);
    const check = checkGcra(
      reports.flatMap((r) => r?.admitted ?? []),
      RATE,
      Math.max(...reports.map((r) => r?.lastNowMs ?? 0)),
    );
    expect(check.worstExcess).toBeLessThanOrEqual(0);
    expect(check.admitted).toBe(
      replayGcra(
        reports.flatMap((r) => [...(r?.admitted ?? []), ...(r?.denied ?? [])]),
        RATE,
      ),
    );
  }, 30_000);

  it("a request spanning two slots is all-or-nothing: the identity's counter is given back when the org cap denies", async () => {
    const [alice, bob, org] = [freshTag(), freshTag(), freshTag()];
    const orgCap = limit("org", 2, 60_000, { by: { kind: "attribute", name: "org" } });
    const asCaller = (tag: string) => request([charge(tag, limit("minute", 5, 60_000)), charge(org, orgCap)]);
    expect(cluster.ports.length).toBe(3);
    await outcome(asCaller(alice));
    await outcome(asCaller(alice));
    const before = await admin.get(`mg:rl:{${alice}}:minute`);
    const denied = await outcome(asCaller(alice));
    expect(denied.verdict).toMatchObject({
      kind: "limited",
      violated: ["org"],
      states: [
        { name: "minute", remaining: 3 },
        { name: "org", remaining: 0 },
      ],
    });
    expect(await admin.get(`mg:rl:{${alice}}:minute`)).toBe(before);
    expect((await outcome(asCaller(bob))).verdict).toMatchObject({ kind: "limited", violated: ["org"] });
    expect(await admin.exists(`mg:rl:{${bob}}:minute`)).toBe(0);
  });

  it("violations found in another slot still fill the caller's penalty box", async () => {
    const [carol, org] = [freshTag(), freshTag()];
    const spec = { violations: 2, withinMs: 60_000, blockMs: 30_000, maxBlockMs: 60_000 };
    const req = request(
      [charge(carol, limit("minute", 100, 60_000)), charge(org, limit("org", 1, 60_000, { by: { kind: "attribute", name: "org" } }))],
      {
        penaltyBox: box(carol, spec),
      },
    );
    expect((await outcome(req)).verdict.kind).toBe("allowed");
    expect((await outcome(req)).verdict.kind).toBe("limited");
    const third = await outcome(req);
    expect(third).toMatchObject({ blockStarted: true, blockMs: 30_000, verdict: { kind: "blocked" } });
    expect(await admin.pttl(`mg:pb:{${carol}}:policy`)).toBeGreaterThan(0);
  });

  it("a violation found in another slot after the caller's deadline answer is taken back, and so is the block it started", async () => {
    const [erin, org] = [freshTag(), freshTag()];
    const spec = { violations: 2, withinMs: 60_000, blockMs: 30_000, maxBlockMs: 60_000 };
    const req = request(
      [charge(erin, limit("minute", 100, 60_000)), charge(org, limit("org", 1, 60_000, { by: { kind: "attribute", name: "org" } }))],
      { penaltyBox: box(erin, spec) },
    );
    const boxField = async (field: string, want: string) => {
      for (let i = 0; i < 100 && ((await admin.hget(`mg:pb:{${erin}}:policy`, field)) ?? "0") !== want; i++) await sleep(20);
      return (await admin.hget(`mg:pb:{${erin}}:policy`, field)) ?? "0";
    };
    const cancelled = { aborted: true };
    expect((await outcome(req)).verdict.kind).toBe("allowed");
    const late = await limiter.tryCharge(req, cancelled);
    expect(late.ok && late.value.verdict.kind).toBe("limited");
    expect(await boxField("c", "0")).toBe("0");
    expect((await outcome(req)).verdict.kind).toBe("limited"); // the first strike, not the second
    const lateBlock = await limiter.tryCharge(req, cancelled);
    expect(lateBlock.ok && lateBlock.value).toMatchObject({ blockStarted: false, blockMs: 0, verdict: { kind: "blocked" } });
    expect(await boxField("b", "0")).toBe("0");
    expect(await outcome(req)).toMatchObject({ blockStarted: true, blockMs: 30_000 });
  });

  it("a sanctioned caller's request spanning slots: the org slot's charge is given back, at the lowered factor too", async () => {
    const [dave, org] = [freshTag(), freshTag()];
    const sanction = `mg:sx:{${dave}}`;
    const orgCap = charge(org, limit("org", 100, 60_000, { by: { kind: "attribute", name: "org" } }));
    const own = { ...charge(dave, limit("minute", 10, 60_000)), callerOwned: true };
    const req = request([own, orgCap], { sanction });
    // Lowered to 0.2: two of the ten fit; the third is denied in dave's slot and the org slot gives back.
    await connection.impose(sanction, sanctionArgs({ kind: "lower-limits", factorPermille: 200, periodMs: 60_000 }));
    expect((await outcome(req)).verdict).toMatchObject({
      kind: "allowed",
      lowered: 200,
      states: [
        { name: "minute", quota: 2 },
        { name: "org", quota: 100 },
      ],
    });
    expect((await outcome(req)).verdict.kind).toBe("allowed");
    const orgBefore = await admin.get(orgCap.key);
    expect((await outcome(req)).verdict).toMatchObject({ kind: "limited", violated: ["minute"] });
    expect(await admin.get(orgCap.key)).toBe(orgBefore);
    // Blocked: nothing is charged anywhere.
    await connection.impose(sanction, sanctionArgs({ kind: "block", periodMs: 60_000 }));
    expect((await outcome(req)).verdict).toMatchObject({ kind: "blocked", by: "anomaly" });
    expect(await admin.get(orgCap.key)).toBe(orgBefore);
  });
});
