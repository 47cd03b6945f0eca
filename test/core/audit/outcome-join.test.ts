import { describe, expect, it } from "vitest";
import { OutcomeJoin } from "../../../src/core/audit/outcome-join.ts";
import type { AccessOutcome, PendingDecision } from "../../../src/core/audit/outcome-record.ts";
import { T0 } from "./builders.ts";

const decision = (n: number, at = T0, requestId = `r-${n}`): PendingDecision => ({
  decisionId: `d-${n}`,
  requestId,
  allowed: n % 2 === 0,
  decidedAt: at,
});
const outcome = (requestId: string, overrides: Partial<AccessOutcome> = {}): AccessOutcome => ({
  requestId,
  responseCode: 200,
  responseCodeDetails: "via_upstream",
  responseFlags: [],
  requestBodyBytes: 120,
  responseBodyBytes: 4096,
  durationMs: 35.5,
  startedAt: T0,
  ...overrides,
});

describe("OutcomeJoin", () => {
  it("joins an outcome to its decision by request id", () => {
    const join = new OutcomeJoin({ waitMs: 1000, maxPending: 10 });
    expect(join.noteDecision(decision(2), T0)).toEqual([]);
    expect(join.matchOutcome(outcome("r-2"), T0 + 40)).toEqual({
      type: "outcome",
      time: "2026-11-01T00:00:00.040Z",
      decision_id: "d-2",
      decision: "allow",
      request_id: "r-2",
      response_code: 200,
      response_code_details: "via_upstream",
      response_flags: [],
      request_bytes: 120,
      response_bytes: 4096,
      duration_us: 35_500,
      started_at: "2026-11-01T00:00:00.000Z",
      truncated: [],
    });
    expect(join.size).toBe(0);
  });

  it.each<[string, (join: OutcomeJoin) => void]>([
    ["no decision was seen", () => undefined],
    ["its decision was already joined", (join) => (join.noteDecision(decision(1), T0), join.matchOutcome(outcome("r-1"), T0))],
  ])("records decision_missing when %s", (_name, setup) => {
    const join = new OutcomeJoin({ waitMs: 1000, maxPending: 10 });
    setup(join);
    expect(join.matchOutcome(outcome("r-1", { responseCode: undefined }), T0)).toMatchObject({
      type: "decision_missing",
      request_id: "r-1",
      response_code: null,
    });
  });

  it("marks decisions whose outcome does not arrive in time, and only those", () => {
    const join = new OutcomeJoin({ waitMs: 1000, maxPending: 10 });
    join.noteDecision(decision(1, T0), T0);
    join.noteDecision(decision(2, T0 + 500), T0 + 500);
    join.noteDecision(decision(3, T0 + 900), T0 + 900);
    expect(join.expire(T0 + 999)).toEqual([]);
    const expired = join.expire(T0 + 1500);
    expect(expired).toEqual([
      expect.objectContaining({ type: "outcome_missing", decision_id: "d-1" }),
      expect.objectContaining({ decision_id: "d-2", waited_ms: 1000, cause: "timeout" }),
    ]);
    expect(join.size).toBe(1);
    expect(join.matchOutcome(outcome("r-3"), T0 + 1600)).toMatchObject({ type: "outcome", decision_id: "d-3" });
  });

  it("stays bounded: the oldest decision is marked when the map is full", () => {
    const join = new OutcomeJoin({ waitMs: 60_000, maxPending: 3 });
    for (let i = 0; i < 3; i += 1) expect(join.noteDecision(decision(i), T0 + i)).toEqual([]);
    expect(join.noteDecision(decision(3), T0 + 3)).toEqual([expect.objectContaining({ decision_id: "d-0", cause: "capacity" })]);
    expect(join.size).toBe(3);
  });

  it("keeps a few decisions under a reused request id, matching the oldest first", () => {
    const join = new OutcomeJoin({ waitMs: 60_000, maxPending: 100 });
    for (let i = 0; i < 5; i += 1) join.noteDecision(decision(i, T0 + i, "same"), T0 + i);
    expect(join.size).toBe(4); // the first was pushed out (marked, see the returned events)
    expect(join.matchOutcome(outcome("same"), T0 + 10)).toMatchObject({ decision_id: "d-1" });
    expect(join.matchOutcome(outcome("same"), T0 + 10)).toMatchObject({ decision_id: "d-2" });
  });

  it("ignores decisions without a request id (nothing could name them)", () => {
    const join = new OutcomeJoin({ waitMs: 1000, maxPending: 10 });
    join.noteDecision(decision(1, T0, ""), T0);
    expect(join.size).toBe(0);
  });

  it("marks every waiting decision on drain (shutdown)", () => {
    const join = new OutcomeJoin({ waitMs: 60_000, maxPending: 10 });
    join.noteDecision(decision(1), T0);
    join.noteDecision(decision(2, T0, "r-1"), T0);
    join.noteDecision(decision(3), T0);
    expect(join.drain(T0 + 5).map((e) => [e["decision_id"], e["cause"]])).toEqual([
      ["d-1", "shutdown"],
      ["d-2", "shutdown"],
      ["d-3", "shutdown"],
    ]);
    expect(join.size).toBe(0);
  });

  it("bounds hostile access-log values", () => {
    const join = new OutcomeJoin({ waitMs: 1000, maxPending: 10 });
    const event = join.matchOutcome(
      outcome("x".repeat(100_000), {
        responseCodeDetails: "\n".repeat(10_000),
        responseFlags: Array.from({ length: 40 }, (_, i) => `f${i}`),
      }),
      T0,
    );
    expect(event["truncated"]).toEqual(["response_flags", "request_id", "response_code_details"]);
    expect((event["response_flags"] as string[]).length).toBe(16);
  });
});
