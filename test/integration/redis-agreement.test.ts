import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalLimiter } from "../../src/adapters/limiter/local-limiter.ts";
import type { RedisConnection } from "../../src/adapters/limiter/redis-connection.ts";
import type { RedisLimiter } from "../../src/adapters/limiter/redis-limiter.ts";
import { sanctionArgs } from "../../src/adapters/limiter/redis-sanctions.ts";
import type { SanctionOrder } from "../../src/core/limit/sanction.ts";
import type { PenaltyBoxSpec } from "../../src/core/policy/types.ts";
import { box, charge, connect, freshTag, limit, modeless, request } from "./helpers/redis-limiter-kit.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";

// The Lua script and the in-process limiter must decide exactly alike: each step charges Redis,
// then charges a LocalLimiter whose clock is set to the Redis TIME that script used, and the two
// verdicts (states, retry-after, penalty box) must be equal to the bit. Limits include periods
// that do not divide evenly, weighted costs, shadow limits and the penalty box.

let redis: RedisProcess;
let connection: RedisConnection;
let limiter: RedisLimiter;

beforeAll(async () => {
  redis = await startRedis();
  ({ connection, limiter } = await connect(redis.url));
});

afterAll(async () => {
  await connection?.close();
  await redis?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const COVERAGE_BATCHES = 6;
const covers = (seen: ReadonlySet<string>, kinds: readonly string[]) => kinds.every((kind) => seen.has(kind));

const limitArb = fc
  .record({
    requests: fc.integer({ min: 1, max: 12 }),
    periodMs: fc.constantFrom(97, 999, 1000, 7000, 60_000, 86_400_000),
    burstFactor: fc.constantFrom(0.5, 1, 2),
    shadow: fc.boolean(),
  })
  .map(({ requests, periodMs, burstFactor, shadow }) =>
    limit("l", requests, periodMs, { burst: Math.max(1, Math.round(requests * burstFactor)), shadow }),
  );

const boxArb: fc.Arbitrary<PenaltyBoxSpec | undefined> = fc.option(
  fc
    .record({
      violations: fc.integer({ min: 1, max: 3 }),
      withinMs: fc.integer({ min: 20, max: 400 }),
      blockMs: fc.integer({ min: 5, max: 60 }),
      factor: fc.integer({ min: 1, max: 4 }),
    })
    .map(({ violations, withinMs, blockMs, factor }) => ({ violations, withinMs, blockMs, maxBlockMs: blockMs * factor })),
  { nil: undefined },
);

const stepArb = fc.record({
  cost: fc.integer({ min: 1, max: 3 }),
  pauseMs: fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 40 })),
});

describe("Redis script and in-process limiter agree", () => {
  it("on every verdict of random request sequences", async () => {
    const seen = new Set<string>();
    const kinds = ["allowed", "block-started", "blocked", "limited", "shadowed"];
    // Whether a batch of random sequences reaches the rarer branches depends on timing; more
    // batches run until every branch was reached (or the budget is spent and the test fails).
    for (let batch = 0; batch < COVERAGE_BATCHES && !covers(seen, kinds); batch++) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(limitArb, { minLength: 1, maxLength: 3 }),
          boxArb,
          fc.array(stepArb, { minLength: 10, maxLength: 40 }),
          async (limits, boxSpec, steps) => {
            const named = limits.map((l, i) => ({ ...l, name: `l${i}` }));
            const tag = freshTag();
            const charges = named.map((l) => charge(tag, l));
            const penaltyBox = boxSpec === undefined ? undefined : box(tag, boxSpec);
            const clock = { now: 0 };
            const local = new LocalLimiter({ now: () => clock.now });
            for (const step of steps) {
              if (step.pauseMs > 0) await sleep(step.pauseMs);
              const remote = await limiter.tryCharge(request(charges, { cost: step.cost, penaltyBox }));
              if (!remote.ok) throw new Error(remote.error);
              clock.now = remote.value.nowMs;
              expect(modeless(remote.value.verdict)).toEqual(modeless(local.chargeNow(charges, step.cost, penaltyBox)));
              const v = remote.value.verdict;
              seen.add(
                v.kind === "allowed" && v.shadowed !== undefined ? "shadowed" : remote.value.blockStarted ? "block-started" : v.kind,
              );
            }
          },
        ),
        { numRuns: 30 },
      );
    }
    // The sequences really reached every branch of the script.
    expect([...seen].sort()).toEqual(kinds);
  }, 180_000);

  // Sanctions (anomaly responses) land between charges: a block, or the caller's own limits
  // lowered by a factor; each is written by the sanction script and, at the Redis TIME that
  // script used, by LocalLimiter.impose.
  it("on every verdict when anomaly sanctions block the caller or lower its own limits", async () => {
    const seen = new Set<string>();
    const orderArb: fc.Arbitrary<SanctionOrder | undefined> = fc.option(
      fc.oneof(
        fc.record({ kind: fc.constant("block" as const), periodMs: fc.integer({ min: 5, max: 60 }) }),
        fc.record({
          kind: fc.constant("lower-limits" as const),
          periodMs: fc.integer({ min: 20, max: 400 }),
          factorPermille: fc.constantFrom(1, 99, 250, 333, 500, 999),
        }),
      ),
      { nil: undefined, freq: 6 },
    );
    const owned = fc.array(fc.boolean(), { minLength: 3, maxLength: 3 });
    const steps = fc.array(fc.record({ step: stepArb, order: orderArb }), { minLength: 10, maxLength: 40 });
    const kinds = ["allowed", "allowed-lowered", "blocked-by-anomaly", "blocked-by-penalty_box", "limited", "limited-lowered"];
    for (let batch = 0; batch < COVERAGE_BATCHES && !covers(seen, kinds); batch++) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(limitArb, { minLength: 1, maxLength: 3 }),
          owned,
          boxArb,
          steps,
          async (limits, own, boxSpec, sequence) => {
            const tag = freshTag();
            const charges = limits.map((l, i) => ({ ...charge(tag, { ...l, name: `l${i}` }), callerOwned: own[i] === true }));
            const penaltyBox = boxSpec === undefined ? undefined : box(tag, boxSpec);
            const sanction = `mg:sx:{${tag}}`;
            const clock = { now: 0 };
            const local = new LocalLimiter({ now: () => clock.now });
            for (const { step, order } of sequence) {
              if (step.pauseMs > 0) await sleep(step.pauseMs);
              if (order !== undefined) {
                const reply = (await connection.impose(sanction, sanctionArgs(order))) as number[];
                clock.now = (reply[0] ?? 0) / 1024;
                local.impose(sanction, order);
              }
              const remote = await limiter.tryCharge(request(charges, { cost: step.cost, penaltyBox, sanction }));
              if (!remote.ok) throw new Error(remote.error);
              clock.now = remote.value.nowMs;
              expect(modeless(remote.value.verdict)).toEqual(modeless(local.chargeNow(charges, step.cost, penaltyBox, sanction)));
              const v = remote.value.verdict;
              seen.add(v.kind === "blocked" ? `blocked-by-${v.by}` : v.lowered !== undefined ? `${v.kind}-lowered` : v.kind);
            }
          },
        ),
        { numRuns: 30 },
      );
    }
    expect([...seen].sort()).toEqual(kinds);
  }, 240_000);

  it("reports the Redis clock on the 1/1024 ms grid", async () => {
    const tag = freshTag();
    const outcome = await limiter.tryCharge(request([charge(tag, limit("minute", 5, 60_000))]));
    if (!outcome.ok) throw new Error(outcome.error);
    expect(Number.isInteger(outcome.value.nowMs * 1024)).toBe(true);
    expect(Math.abs(outcome.value.nowMs - Date.now())).toBeLessThan(5_000);
  });
});
