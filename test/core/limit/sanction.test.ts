import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gcra, GRID } from "../../../src/core/limit/gcra.ts";
import {
  imposeSanction,
  sanctionBlockRemaining,
  sanctionFactor,
  sanctionKeepUntil,
  type Sanction,
} from "../../../src/core/limit/sanction.ts";
import type { LimitSpec } from "../../../src/core/policy/types.ts";

const NOW = 1_000_000 * GRID; // grid steps
const MS = GRID;

describe("imposeSanction", () => {
  it.each<[string, Sanction | undefined, Parameters<typeof imposeSanction>[1], Sanction]>([
    ["a first block", undefined, { kind: "block", periodMs: 100 }, { blockedUntil: NOW + 100 * MS, factorPermille: 1000, factorUntil: 0 }],
    [
      "a shorter block never shortens a longer one",
      { blockedUntil: NOW + 500 * MS, factorPermille: 1000, factorUntil: 0 },
      { kind: "block", periodMs: 100 },
      { blockedUntil: NOW + 500 * MS, factorPermille: 1000, factorUntil: 0 },
    ],
    [
      "a longer block extends",
      { blockedUntil: NOW + 50 * MS, factorPermille: 1000, factorUntil: 0 },
      { kind: "block", periodMs: 100 },
      { blockedUntil: NOW + 100 * MS, factorPermille: 1000, factorUntil: 0 },
    ],
    [
      "first lowered limits",
      undefined,
      { kind: "lower-limits", factorPermille: 500, periodMs: 100 },
      { blockedUntil: 0, factorPermille: 500, factorUntil: NOW + 100 * MS },
    ],
    [
      "a gentler factor never softens a harsher one in force",
      { blockedUntil: 0, factorPermille: 200, factorUntil: NOW + 10 * MS },
      { kind: "lower-limits", factorPermille: 500, periodMs: 100 },
      { blockedUntil: 0, factorPermille: 200, factorUntil: NOW + 100 * MS },
    ],
    [
      "an expired factor is forgotten",
      { blockedUntil: 0, factorPermille: 200, factorUntil: NOW - 1 },
      { kind: "lower-limits", factorPermille: 500, periodMs: 100 },
      { blockedUntil: 0, factorPermille: 500, factorUntil: NOW + 100 * MS },
    ],
    [
      "a block keeps lowered limits",
      { blockedUntil: 0, factorPermille: 300, factorUntil: NOW + 10 * MS },
      { kind: "block", periodMs: 1 },
      { blockedUntil: NOW + MS, factorPermille: 300, factorUntil: NOW + 10 * MS },
    ],
  ])("%s", (_name, previous, order, expected) => {
    expect(imposeSanction(previous, order, NOW)).toEqual(expected);
  });

  it("block and factor apply until their own ends, and the state is kept until the later one", () => {
    const s: Sanction = { blockedUntil: NOW + 10, factorPermille: 250, factorUntil: NOW + 20 };
    expect([sanctionBlockRemaining(s, NOW), sanctionBlockRemaining(s, NOW + 10), sanctionBlockRemaining(undefined, NOW)]).toEqual([
      10, 0, 0,
    ]);
    expect([sanctionFactor(s, NOW + 19), sanctionFactor(s, NOW + 20), sanctionFactor(undefined, NOW)]).toEqual([250, 1000, 1000]);
    expect(sanctionKeepUntil(s)).toBe(NOW + 20);
  });
});

const T0 = Date.parse("2026-11-01T00:00:00Z");

function admittedAtOnce(spec: LimitSpec, factor: number): number {
  let tat: number | undefined;
  let admitted = 0;
  for (let i = 0; i < spec.burst * 2 + 2; i++) {
    const o = gcra(spec, tat, T0, 1, factor);
    if (!o.allowed) break;
    tat = o.tat;
    admitted += 1;
  }
  return admitted;
}

describe("gcra with lowered limits", () => {
  const spec: LimitSpec = { name: "minute", requests: 10, periodMs: 60_000, burst: 10, by: { kind: "identity" } };

  it.each([
    [1000, 10],
    [500, 5],
    [400, 4],
    [333, 3],
    [100, 1],
    [1, 1], // a burst under one lowered unit still admits one request
  ])("factor %i‰ admits %i of a burst of 10 at one instant", (factor, expected) => {
    expect(admittedAtOnce(spec, factor)).toBe(expected);
  });

  it("spaces requests by the lowered interval: at 500‰ one per 12 s instead of 6 s", () => {
    const first = gcra({ ...spec, burst: 1 }, undefined, T0, 1, 500);
    expect(first).toMatchObject({ allowed: true, resetMs: 12_000 });
    expect(gcra({ ...spec, burst: 1 }, first.tat, T0 + 6_000, 1, 500)).toMatchObject({ allowed: false, retryAfterMs: 6_000 });
    expect(gcra({ ...spec, burst: 1 }, first.tat, T0 + 12_000, 1, 500).allowed).toBe(true);
  });

  it("never admits more than the exact fraction of the written limit over time", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 999 }),
        fc.integer({ min: 1, max: 3 }),
        (requests, factor, burst) => {
          const s: LimitSpec = { name: "l", requests, periodMs: 60_000, burst, by: { kind: "identity" } };
          let tat: number | undefined;
          let admitted = 0;
          const horizonMs = 600_000;
          for (let t = 0; t <= horizonMs; t += 250) {
            const o = gcra(s, tat, T0 + t, 1, factor);
            if (o.allowed) {
              tat = o.tat;
              admitted += 1;
            }
          }
          const lowered = (requests * factor) / 1000;
          const bound = (lowered * horizonMs) / 60_000 + Math.max(1, (burst * factor) / 1000);
          expect(admitted).toBeLessThanOrEqual(Math.ceil(bound));
        },
      ),
      { numRuns: 200 },
    );
  });
});
