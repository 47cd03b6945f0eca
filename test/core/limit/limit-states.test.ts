import { describe, expect, it } from "vitest";
import { blockedStates, combineFigures, limitState, type LimitFigures } from "../../../src/core/limit/limit-states.ts";
import type { LimitCharge } from "../../../src/core/limit/limiter-port.ts";
import type { LimitSpec } from "../../../src/core/policy/types.ts";

function spec(name: string, shadow = false): LimitSpec {
  const base = { name, requests: 5, periodMs: 60_000, burst: 5, by: { kind: "identity" as const } };
  return shadow ? { ...base, shadow: true } : base;
}

const charge = (name: string, shadow = false): LimitCharge => ({ key: `k:${name}`, limit: spec(name, shadow) });
const pass = (remaining = 3, resetMs = 24_000): LimitFigures => ({ allowed: true, remaining, resetMs, retryAfterMs: 0 });
const fail = (retryAfterMs: number): LimitFigures => ({ allowed: false, remaining: 0, resetMs: 60_000, retryAfterMs });

describe("limitState", () => {
  it("reports reset for a passing limit and retry-after for a failing one", () => {
    expect(limitState(spec("m"), pass())).toEqual({ name: "m", quota: 5, windowSeconds: 60, remaining: 3, resetSeconds: 24 });
    expect(limitState(spec("m"), fail(1_500))).toMatchObject({ remaining: 0, resetSeconds: 1.5 });
    expect(limitState(spec("m", true), pass())).toMatchObject({ shadow: true });
  });

  it("blockedStates: every limit at zero until the block ends", () => {
    expect(blockedStates([charge("a"), charge("b")], 90)).toEqual([
      { name: "a", quota: 5, windowSeconds: 60, remaining: 0, resetSeconds: 90 },
      { name: "b", quota: 5, windowSeconds: 60, remaining: 0, resetSeconds: 90 },
    ]);
  });
});

describe("combineFigures", () => {
  it.each<[string, LimitCharge[], LimitFigures[], object]>([
    ["all pass", [charge("a"), charge("b")], [pass(), pass()], { kind: "allowed" }],
    ["one enforced fails", [charge("a"), charge("b")], [pass(), fail(2_000)], { kind: "limited", violated: ["b"], retryAfterSeconds: 2 }],
    [
      "two fail: the longer wait wins",
      [charge("a"), charge("b")],
      [fail(9_000), fail(2_000)],
      { kind: "limited", violated: ["a", "b"], retryAfterSeconds: 9 },
    ],
    [
      "a shadow limit fails: allowed, and named",
      [charge("a"), charge("s", true)],
      [pass(), fail(5_000)],
      { kind: "allowed", shadowed: ["s"] },
    ],
    [
      "enforced and shadow fail: the shadow wait does not count",
      [charge("a"), charge("s", true)],
      [fail(1_000), fail(50_000)],
      { kind: "limited", violated: ["a"], retryAfterSeconds: 1 },
    ],
  ])("%s", (_name, charges, figures, expected) => {
    const verdict = combineFigures(charges, figures, "redis");
    expect(verdict).toMatchObject({ ...expected, mode: "redis" });
    expect(verdict.states.map((s) => s.name)).toEqual(charges.map((c) => c.limit.name));
    if (verdict.kind === "allowed" && !("shadowed" in expected)) expect(verdict).not.toHaveProperty("shadowed");
  });
});
