import { describe, expect, it } from "vitest";
import { CircuitBreaker, type BreakerRoute, type BreakerState } from "../../../src/adapters/limiter/circuit-breaker.ts";

// Each row is a script of steps on a hand-moved clock; every step asserts the route taken
// and/or the state after it.
type Step =
  | { readonly route: BreakerRoute } // the next call's route
  | { readonly ok: BreakerRoute } // a call on that route succeeded
  | { readonly fail: BreakerRoute } // a call on that route failed
  | { readonly wait: number }
  | { readonly state: BreakerState };

function play(steps: readonly Step[]) {
  const clock = { now: 0 };
  const changes: BreakerState[] = [];
  const breaker = new CircuitBreaker({ failures: 3, openForMs: 1000, now: () => clock.now, onChange: (s) => changes.push(s) });
  for (const step of steps) {
    if ("route" in step) expect(breaker.route()).toBe(step.route);
    else if ("ok" in step) breaker.succeeded(step.ok);
    else if ("fail" in step) breaker.failed(step.fail);
    else if ("wait" in step) clock.now += step.wait;
    else expect(breaker.state).toBe(step.state);
  }
  return changes;
}

const open3: Step[] = [{ fail: "redis" }, { fail: "redis" }, { fail: "redis" }, { state: "open" }];

describe("CircuitBreaker", () => {
  it.each<[string, Step[], BreakerState[]]>([
    ["starts closed and routes to Redis", [{ state: "closed" }, { route: "redis" }], []],
    ["opens after 3 consecutive failures", [...open3, { route: "local" }], ["open"]],
    [
      "a success in between resets the count",
      [{ fail: "redis" }, { fail: "redis" }, { ok: "redis" }, { fail: "redis" }, { fail: "redis" }, { state: "closed" }],
      [],
    ],
    ["stays open for openForMs", [...open3, { wait: 999 }, { route: "local" }], ["open"]],
    [
      "then lets exactly one probe through",
      [...open3, { wait: 1000 }, { route: "probe" }, { state: "half-open" }, { route: "local" }, { route: "local" }],
      ["open", "half-open"],
    ],
    [
      "a successful probe closes it",
      [...open3, { wait: 1000 }, { route: "probe" }, { ok: "probe" }, { state: "closed" }, { route: "redis" }],
      ["open", "half-open", "closed"],
    ],
    [
      "a failed probe opens it for another openForMs",
      [
        ...open3,
        { wait: 1000 },
        { route: "probe" },
        { fail: "probe" },
        { state: "open" },
        { wait: 999 },
        { route: "local" },
        { wait: 1 },
        { route: "probe" },
      ],
      ["open", "half-open", "open", "half-open"],
    ],
    [
      "late answers of calls sent before it opened change nothing",
      [...open3, { ok: "redis" }, { fail: "redis" }, { state: "open" }],
      ["open"],
    ],
  ])("%s", (_name, steps, changes) => {
    expect(play(steps)).toEqual(changes);
  });
});
