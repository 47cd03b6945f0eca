import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planFor, type RawFiring } from "../../../src/core/anomaly/anomaly-plan.ts";
import { evaluatePlan } from "../../../src/core/anomaly/evaluate-plan.ts";
import { MemoryRuleStore } from "../../../src/core/anomaly/memory-store.ts";
import { observation, type AnomalyObservation } from "../../../src/core/anomaly/observation.ts";
import { anomalyScriptPort, type AnomalyScriptPort } from "../../../src/adapters/anomaly/anomaly-redis.ts";
import { decodeReply, encodePlan } from "../../../src/adapters/anomaly/anomaly-script-codec.ts";
import { startRedis, type RedisProcess } from "../../integration/helpers/redis-server.ts";
import { T0, testConfig } from "../../core/anomaly/patterns.ts";

// The Redis script and src/core/anomaly/evaluate-plan.ts are twins: fed the same observations,
// they must fire the same rules with the same numbers. Random traffic over a few identities,
// models and addresses, with gaps, late arrivals and model errors, against a real redis-server.

let redis: RedisProcess;
let script: AnomalyScriptPort;

beforeAll(async () => {
  redis = await startRedis();
  script = anomalyScriptPort(redis.admin());
});

afterAll(async () => {
  await redis.stop();
});

const cooldown = "45s";
const config = testConfig({
  rules: {
    volume: { minRequests: 6, factor: 1.5, baselineWindows: 4, cooldown },
    probing: { minRequests: 5, share: 0.4, cooldown },
    reconnaissance: { models: 3, cooldown },
    sharing: { sources: 3, cooldown },
  },
});

const step = fc.record({
  who: fc.integer({ min: 0, max: 2 }),
  // Mostly bursts, now and then a long silence, or an arrival up to 55 s late (less than the
  // shortest window: the lateness both sides tolerate alike, see anomaly-plan.ts).
  dt: fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 4000 }), weight: 12 },
    { arbitrary: fc.integer({ min: 0, max: 900_000 }), weight: 1 },
    { arbitrary: fc.integer({ min: -55_000, max: 0 }), weight: 1 },
  ),
  model: fc.integer({ min: 0, max: 4 }),
  source: fc.integer({ min: 0, max: 4 }),
  bad: fc.boolean(),
  outcome: fc.boolean(),
});

function observationsOf(
  steps: readonly { who: number; dt: number; model: number; source: number; bad: boolean; outcome: boolean }[],
  run: number,
): AnomalyObservation[] {
  let clock = T0 + run * 86_400_000;
  return steps.flatMap((s, i) => {
    // A negative step is one late arrival; the clock itself never goes back.
    if (s.dt > 0) clock += s.dt;
    const t = clock + Math.min(0, s.dt);
    const who = { method: "apikey", subject: `user-${run}-${s.who}`, issuer: "keys", keyId: `k${s.who}` };
    const obs = observation({
      who,
      time: t,
      model: `m${s.model}`,
      sourceAddress: `10.0.0.${s.source}:1`,
      bad: s.bad,
      decisionId: `d${i}`,
      requestId: `r${i}`,
      policy: undefined,
    });
    if (obs === undefined) throw new Error("unobservable");
    return s.outcome ? [obs, { ...obs, kind: "outcome" as const, bad: true }] : [obs];
  });
}

async function viaRedis(observations: readonly AnomalyObservation[]): Promise<RawFiring[][]> {
  const out: RawFiring[][] = [];
  for (const obs of observations) {
    const reply = decodeReply(await script.run(encodePlan(planFor(obs, config))));
    if (reply === undefined) throw new Error("bad reply");
    out.push(reply);
  }
  return out;
}

function inMemory(observations: readonly AnomalyObservation[]): RawFiring[][] {
  const store = new MemoryRuleStore();
  return observations.map((obs) => {
    store.advance(obs.time);
    return evaluatePlan(store, planFor(obs, config));
  });
}

describe("the anomaly script and its in-memory twin", () => {
  it("fire the same rules with the same numbers on random traffic", async () => {
    let run = 0;
    const fired = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 200, size: "max" }), async (steps) => {
        const observations = observationsOf(steps, (run += 1));
        const redisFirings = await viaRedis(observations);
        expect(redisFirings).toEqual(inMemory(observations));
        for (const f of redisFirings.flat()) fired.set(f.rule, (fired.get(f.rule) ?? 0) + 1);
      }),
      { numRuns: 60, endOnFailure: true },
    );
    // The property exercised every rule firing, not only silence.
    expect([...fired.keys()].sort()).toEqual(["probing", "reconnaissance", "sharing", "volume"]);
    expect(Math.min(...fired.values()), JSON.stringify([...fired])).toBeGreaterThan(5);
  });
});
