import { describe, expect, it } from "vitest";
import { readiness, type ReadinessFacts } from "../../src/wiring/readiness.ts";

// /readyz: every fact must hold; the first one missing names itself.

const READY: ReadinessFacts = { policiesLoaded: true, auditAccepting: true, limiterReady: true };

describe("readiness", () => {
  it.each<[string, Partial<ReadinessFacts>, boolean, string]>([
    ["everything in place", {}, true, "ready"],
    ["policies not loaded yet", { policiesLoaded: false }, false, "policies not loaded"],
    ["Redis not reached yet", { limiterReady: false }, false, "the rate limiter has not reached Redis yet"],
    ["the audit log refusing records", { auditAccepting: false }, false, "the audit log is not accepting records"],
    [
      "nothing in place: policies come first",
      { policiesLoaded: false, limiterReady: false, auditAccepting: false },
      false,
      "policies not loaded",
    ],
    [
      "Redis and audit both missing: the limiter is named",
      { limiterReady: false, auditAccepting: false },
      false,
      "the rate limiter has not reached Redis yet",
    ],
  ])("%s", (_name, facts, ready, detail) => {
    expect(readiness({ ...READY, ...facts })).toEqual({ ready, detail });
  });
});
