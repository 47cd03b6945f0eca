import { describe, expect, it } from "vitest";
import type { Decision, RateLimitOutcome } from "../../../src/core/decision.ts";
import type { LimitState } from "../../../src/core/limit/limiter-port.ts";
import { respond, type AuthzResponse } from "../../../src/core/respond.ts";
import { param, parseSfList } from "./structured-field.ts";

// respond() for what the Redis limiter adds: the penalty box's 429 and shadow limits.

const minute: LimitState = { name: "minute", quota: 120, windowSeconds: 60, remaining: 0, resetSeconds: 600 };
const org: LimitState = { name: "org-day", quota: 5000, windowSeconds: 86_400, remaining: 0, resetSeconds: 600 };
const trial: LimitState = { name: "trial", quota: 1, windowSeconds: 3600, remaining: 0, resetSeconds: 1800, shadow: true };

function decision(reason: "allowed" | "penalty_box" | "rate_limited", rateLimit: RateLimitOutcome): Decision {
  const facts = {
    id: "d-1",
    requestId: "r-1",
    decidedAt: 0,
    identity: undefined,
    identitySource: undefined,
    target: undefined,
    policy: undefined,
    rateLimit,
    request: undefined,
  };
  return reason === "allowed"
    ? { ...facts, allowed: true, reason, credentialHeaders: [] }
    : { ...facts, allowed: false, reason, detail: "d", challenge: undefined };
}

function header(response: AuthzResponse, name: string): string | undefined {
  const pairs = response.allowed ? response.responseHeaders : response.headers;
  return pairs.find(([k]) => k === name)?.[1];
}

describe("respond: penalty box", () => {
  const boxed = respond(
    decision("penalty_box", { mode: "redis", states: [minute, org, trial], violated: [], retryAfterSeconds: 600, penaltyBox: true }),
  );

  it("is a 429 with Retry-After equal to what is left of the block", () => {
    expect(boxed).toMatchObject({ allowed: false, httpStatus: 429, grpcCode: 8 });
    expect(header(boxed, "retry-after")).toBe("600");
  });

  it("lists every enforced limit at r=0 with t = the block's end, and never a shadow limit", () => {
    const items = parseSfList(header(boxed, "ratelimit") ?? "");
    expect(items.map((i) => [i.value.value, param(i, "r")?.value, param(i, "t")?.value])).toEqual([
      ["minute", 0, 600],
      ["org-day", 0, 600],
    ]);
    expect(parseSfList(header(boxed, "ratelimit-policy") ?? "").map((i) => i.value.value)).toEqual(["minute", "org-day"]);
  });
});

describe("respond: shadow limits stay out of the client's headers", () => {
  it.each<[string, Decision]>([
    [
      "allowed",
      decision("allowed", {
        mode: "redis",
        states: [{ ...minute, remaining: 4, resetSeconds: 2 }, trial],
        violated: [],
        retryAfterSeconds: 0,
        shadowed: ["trial"],
      }),
    ],
    [
      "rate limited",
      decision("rate_limited", {
        mode: "redis",
        states: [{ ...minute, resetSeconds: 3 }, trial],
        violated: ["minute"],
        retryAfterSeconds: 3,
      }),
    ],
  ])("%s", (_name, d) => {
    const r = respond(d);
    expect(header(r, "ratelimit-policy")).toBe('"minute";q=120;w=60');
    expect(header(r, "ratelimit")).not.toContain("trial");
  });

  it("a request whose only limit is a shadow limit gets no RateLimit fields at all", () => {
    const r = respond(decision("allowed", { mode: "redis", states: [trial], violated: [], retryAfterSeconds: 0, shadowed: ["trial"] }));
    expect(header(r, "ratelimit")).toBeUndefined();
    expect(header(r, "ratelimit-policy")).toBeUndefined();
  });
});
