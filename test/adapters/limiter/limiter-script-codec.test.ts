import { describe, expect, it } from "vitest";
import { decodeReply, encodeCall } from "../../../src/adapters/limiter/limiter-script-codec.ts";
import { planGroups } from "../../../src/adapters/limiter/slot-groups.ts";
import type { ChargeRequest } from "../../../src/core/limit/limiter-port.ts";
import type { LimitSpec } from "../../../src/core/policy/types.ts";

const minute: LimitSpec = { name: "minute", requests: 5, periodMs: 60_000, burst: 5, by: { kind: "identity" } };
const odd: LimitSpec = { name: "odd", requests: 49, periodMs: 86_400_000, burst: 3, by: { kind: "identity" }, shadow: true };
const BOX = { key: "mg:pb:{me}:p", spec: { violations: 3, withinMs: 1000, blockMs: 2000, maxBlockMs: 8000 } };

describe("encodeCall", () => {
  it("puts the penalty box first, then one key per limit, with grid-step intervals", () => {
    const call = encodeCall(
      "charge",
      [
        { key: "a", limit: minute, callerOwned: true },
        { key: "b", limit: odd },
      ],
      2,
      { box: BOX },
    );
    expect(call.keys).toEqual(["mg:pb:{me}:p", "a", "b"]);
    // 60000/5 ms = 12288000 steps; 86400000/49 ms rounded up to the grid.
    const header = ["charge", "2", "1", "0", "3", "1024000", "2048000", "8192000", "0", "1000"];
    expect(call.args).toEqual([...header, "12288000", "5", "0", "1", String(Math.ceil((86_400_000 * 1024) / 49)), "3", "1", "0"]);
  });

  it("puts the sanction key before the penalty box", () => {
    const call = encodeCall("charge", [{ key: "a", limit: minute }], 1, { box: BOX, sanction: "mg:sx:{me}" });
    expect(call.keys).toEqual(["mg:sx:{me}", "mg:pb:{me}:p", "a"]);
    expect(call.args.slice(2, 4)).toEqual(["1", "1"]);
  });

  it("an undo carries the factor its charge used and whether it records a violation", () => {
    const call = encodeCall("undo", [{ key: "a", limit: minute }], 1, { box: BOX, recordViolation: true, factorPermille: 250 });
    expect(call.args.slice(0, 10)).toEqual(["undo", "1", "1", "0", "3", "1024000", "2048000", "8192000", "1", "250"]);
  });

  it("without a penalty box or sanction the header is zeros", () => {
    expect(encodeCall("undo", [{ key: "a", limit: minute }], 1).args.slice(0, 10)).toEqual([
      "undo",
      "1",
      "0",
      "0",
      "0",
      "0",
      "0",
      "0",
      "0",
      "1000",
    ]);
  });
});

describe("decodeReply", () => {
  it.each<[string, unknown, number, unknown]>([
    [
      "allowed with one row",
      [1024, 0, 0, 0, 1000, 1, 4, 2048, 0, 3072],
      1,
      { nowMs: 1, status: "allowed", factorPermille: 1000, rows: [{ allowed: true, remaining: 4, resetMs: 2, retryAfterMs: 0, tatMs: 3 }] },
    ],
    ["allowed under a lowered factor", [1024, 0, 0, 0, 250, 1, 1, 2048, 0, 3072], 1, { status: "allowed", factorPermille: 250 }],
    ["blocked has no rows", [1024, 2, 5120, 1, 1000], 3, { status: "blocked", blockMs: 5, blockStarted: true, rows: [] }],
    ["sanctioned has no rows", [1024, 3, 10240, 0, 1000], 3, { status: "sanctioned", blockMs: 10, blockStarted: false, rows: [] }],
    ["too few rows", [1024, 0, 0, 0, 1000, 1, 4, 2048, 0], 1, undefined],
    ["the head without a factor", [1024, 0, 0, 0], 0, undefined],
    ["a factor of zero", [1024, 0, 0, 0, 0], 0, undefined],
    ["a factor above 1000", [1024, 0, 0, 0, 1001], 0, undefined],
    ["an unknown status", [1024, 7, 0, 0, 1000], 0, undefined],
    ["not integers", ["1024", 0, 0, 0, 1000], 0, undefined],
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
    expect(planGroups(request, false)).toEqual([{ indices: [0, 1, 2], box: BOX, sanction: undefined }]);
  });

  it("Cluster: one group per hash tag, the penalty box with the caller's own keys", () => {
    expect(planGroups(request, true)).toEqual([
      { indices: [0, 2], box: BOX, sanction: undefined },
      { indices: [1], box: undefined, sanction: undefined },
    ]);
  });

  it("Cluster: a penalty box whose caller has no counter of its own gets a group of its own", () => {
    expect(planGroups({ ...request, charges: [request.charges[1]!] }, true)).toEqual([
      { indices: [0], box: undefined, sanction: undefined },
      { indices: [], box: BOX, sanction: undefined },
    ]);
  });

  it("Cluster: the sanction key joins the caller's own group", () => {
    expect(planGroups({ ...request, sanction: "mg:sx:{me}" }, true)).toEqual([
      { indices: [0, 2], box: BOX, sanction: "mg:sx:{me}" },
      { indices: [1], box: undefined, sanction: undefined },
    ]);
  });

  it("a request without limits still carries its sanction key", () => {
    expect(planGroups({ ...request, charges: [], penaltyBox: undefined, sanction: "mg:sx:{me}" }, true)).toEqual([
      { indices: [], box: undefined, sanction: "mg:sx:{me}" },
    ]);
  });
});
