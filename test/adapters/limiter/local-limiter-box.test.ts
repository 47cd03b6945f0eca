import { describe, expect, it } from "vitest";
import { LocalLimiter } from "../../../src/adapters/limiter/local-limiter.ts";
import type { LimitCharge, PenaltyBoxCharge } from "../../../src/core/limit/limiter-port.ts";
import type { LimitSpec } from "../../../src/core/policy/types.ts";

// What the in-process limiter gained with the Redis limiter: shadow limits and the penalty box
// (the same arithmetic as the Lua script; test/integration/redis-agreement.test.ts compares them).

const T0 = Date.parse("2026-11-01T00:00:00Z");
const one: LimitSpec = { name: "one", requests: 1, periodMs: 60_000, burst: 1, by: { kind: "identity" } };
const five: LimitSpec = { name: "five", requests: 5, periodMs: 60_000, burst: 5, by: { kind: "identity" } };
const at = (key: string, limit: LimitSpec): LimitCharge => ({ key, limit });
const BOX: PenaltyBoxCharge = { key: "pb", spec: { violations: 2, withinMs: 10_000, blockMs: 1_000, maxBlockMs: 4_000 } };

function limiter() {
  const clock = { now: T0 };
  return { clock, limiter: new LocalLimiter({ now: () => clock.now }) };
}

describe("LocalLimiter: shadow limits", () => {
  it("count and report but never deny, and are not charged past their limit", () => {
    const { limiter: l } = limiter();
    const charges = [at("a", five), at("s", { ...one, shadow: true })];
    const verdicts = [1, 2, 3].map(() => l.chargeNow(charges, 1));
    expect(verdicts.map((v) => v.kind)).toEqual(["allowed", "allowed", "allowed"]);
    expect(verdicts.map((v) => (v.kind === "allowed" ? v.shadowed : "-"))).toEqual([undefined, ["one"], ["one"]]);
    expect(verdicts[2]?.kind === "allowed" && verdicts[2].states[1]).toMatchObject({
      name: "one",
      remaining: 0,
      resetSeconds: 60,
      shadow: true,
    });
  });

  it("a denial by an enforced limit charges the shadow limit nothing either", () => {
    const { clock, limiter: l } = limiter();
    l.chargeNow([at("e", one)], 1);
    expect(l.chargeNow([at("e", one), at("s", { ...five, shadow: true })], 1).kind).toBe("limited");
    clock.now += 1;
    expect(l.chargeNow([at("s", { ...five, shadow: true })], 1)).toMatchObject({ states: [{ remaining: 4 }] });
  });
});

describe("LocalLimiter: penalty box", () => {
  it("blocks after N violations for `block`, doubling on repeat, then lets the caller back", () => {
    const { clock, limiter: l } = limiter();
    const hit = () => l.chargeNow([at("k", one)], 1, BOX);
    expect(hit().kind).toBe("allowed");
    expect(hit().kind).toBe("limited");
    expect(hit()).toMatchObject({ kind: "blocked", retryAfterSeconds: 1, states: [{ name: "one", remaining: 0, resetSeconds: 1 }] });
    clock.now += 999;
    expect(hit()).toMatchObject({ kind: "blocked", retryAfterSeconds: 0.001 });
    clock.now += 1;
    expect(hit().kind).toBe("limited");
    expect(hit()).toMatchObject({ kind: "blocked", retryAfterSeconds: 2 });
  });

  it("keeps its memory bounded like the counters", () => {
    const l = new LocalLimiter({ now: () => T0, maxKeys: 10 });
    for (let i = 0; i < 50; i++) {
      const box = { ...BOX, key: `pb${i}` };
      l.chargeNow([at(`k${i}`, one)], 1, box);
      l.chargeNow([at(`k${i}`, one)], 1, box);
    }
    expect(l.size).toBeLessThanOrEqual(20);
  });
});

describe("LocalLimiter: anomaly sanctions", () => {
  const SANCTION = "mg:sx:{me}";
  const own = (key: string, limit: LimitSpec): LimitCharge => ({ key, limit, callerOwned: true });

  it("a block denies the sanctioned caller, with or without limits, until its period ends", () => {
    const { clock, limiter: l } = limiter();
    l.impose(SANCTION, { kind: "block", periodMs: 2_000 });
    expect(l.chargeNow([], 1, undefined, SANCTION)).toMatchObject({ kind: "blocked", by: "anomaly", retryAfterSeconds: 2 });
    expect(l.chargeNow([own("a", five)], 1, BOX, SANCTION)).toMatchObject({
      kind: "blocked",
      by: "anomaly",
      states: [{ name: "five", remaining: 0 }],
    });
    expect(l.chargeNow([own("a", five)], 1, BOX, "mg:sx:{other}").kind).toBe("allowed");
    clock.now = T0 + 2_000;
    expect(l.chargeNow([], 1, undefined, SANCTION).kind).toBe("allowed");
  });

  it("lowered limits cut the caller's own counters by the factor, not the shared ones", () => {
    const { limiter: l } = limiter();
    l.impose(SANCTION, { kind: "lower-limits", factorPermille: 400, periodMs: 60_000 });
    const charges = [own("mine", five), at("org", five)];
    const verdicts = [1, 2, 3].map(() => l.chargeNow(charges, 1, undefined, SANCTION));
    expect(verdicts.map((v) => v.kind)).toEqual(["allowed", "allowed", "limited"]);
    expect(verdicts[0]).toMatchObject({
      lowered: 400,
      states: [
        { name: "five", quota: 2, remaining: 1 },
        { name: "five", quota: 5, remaining: 4 },
      ],
    });
    expect(verdicts[2]).toMatchObject({ kind: "limited", violated: ["five"], lowered: 400 });
  });

  it("without the sanction key nothing applies: the request is not the sanctioned caller's", () => {
    const { limiter: l } = limiter();
    l.impose(SANCTION, { kind: "block", periodMs: 2_000 });
    expect(l.chargeNow([own("a", five)], 1).kind).toBe("allowed");
  });
});
