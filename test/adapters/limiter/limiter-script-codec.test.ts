import { describe, expect, it } from "vitest";
import { decodeReply, encodeCall } from "../../../src/adapters/limiter/limiter-script-codec.ts";
import { planGroups } from "../../../src/adapters/limiter/slot-groups.ts";
import type { ChargeRequest } from "../../../src/core/limiter.ts";
import type { LimitSpec } from "../../../src/core/policy/types.ts";

const minute: LimitSpec = { name: "minute", requests: 5, periodMs: 60_000, burst: 5, by: { kind: "identity" } };
const odd: LimitSpec = { name: "odd", requests: 49, periodMs: 86_400_000, burst: 3, by: { kind: "identity" }, shadow: true };
const BOX = { key: "mg:pb:{me}:p", spec: { violations: 3, withinMs: 1000, blockMs: 2000, maxBlockMs: 8000 } };

describe("encodeCall", () => {
  it("puts the penalty box first, then one key per limit, with grid-step intervals", () => {
    const call = encodeCall("charge", [{ key: "a", limit: minute }, { key: "b", limit: odd }], 2, BOX);
    expect(call.keys).toEqual(["mg:pb:{me}:p", "a", "b"]);
    // 60000/5 ms = 12288000 steps; 86400000/49 ms rounded up to the grid.
    expect(call.args).toEqual(["charge", "2", "1", "3", "1024000", "2048000", "8192000", "0", "12288000", "5", "0", String(Math.ceil((86_400_000 * 1024) / 49)), "3", "1"]);
  });

  it("without a penalty box the header is zeros", () => {
    expect(encodeCall("undo", [{ key: "a", limit: minute }], 1, undefined, false).args.slice(0, 8)).toEqual(["undo", "1", "0", "0", "0", "0", "0", "0"]);
  });
});

describe("decodeReply", () => {
  it.each<[string, unknown, number, unknown]>([
    ["allowed with one row", [1024, 0, 0, 0, 1, 4, 2048, 0, 3072], 1, { nowMs: 1, status: "allowed", rows: [{ allowed: true, remaining: 4, resetMs: 2, retryAfterMs: 0, tatMs: 3 }] }],
    ["blocked has no rows", [1024, 2, 5120, 1], 3, { status: "blocked", blockMs: 5, blockStarted: true, rows: [] }],
    ["too few rows", [1024, 0, 0, 0, 1, 4, 2048, 0], 1, undefined],
    ["an unknown status", [1024, 7, 0, 0], 0, undefined],
    ["not integers", ["1024", 0, 0, 0], 0, undefined],
    ["not a list", "OK", 0, undefined],
  ])("%s", (_name, raw, rows, expected) => {
    const decoded = decodeReply(raw, rows);
    if (expected === undefined) expect(decoded).toBeUndefined();
    else expect(decoded).toMatchObject(expected as object);
  });
});

describe("planGroups", () => {
  const request: ChargeRequest = {
    charges: [
      { key: "mg:rl:{me}:a", limit: minute },
      { key: "mg:rl:{org}:b", limit: minute },
      { key: "mg:rl:{me}:c", limit: minute },
    ],
    cost: 1,
    failClosed: false,
    penaltyBox: BOX,
  };

  it("standalone and Sentinel: one group, the whole request atomic", () => {
    expect(planGroups(request, false)).toEqual([{ indices: [0, 1, 2], box: BOX }]);
  });

  it("Cluster: one group per hash tag, the penalty box with the caller's own keys", () => {
    expect(planGroups(request, true)).toEqual([
      { indices: [0, 2], box: BOX },
      { indices: [1], box: undefined },
    ]);
  });

  it("Cluster: a penalty box whose caller has no counter of its own gets a group of its own", () => {
    expect(planGroups({ ...request, charges: [request.charges[1]!] }, true)).toEqual([
      { indices: [0], box: undefined },
      { indices: [], box: BOX },
    ]);
  });
});
