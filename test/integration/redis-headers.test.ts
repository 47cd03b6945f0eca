import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisLimiterHandle } from "../../src/wiring/create-redis-limiter.ts";
import type { Decision } from "../../src/core/decision.ts";
import { respond, type AuthzResponse } from "../../src/core/respond.ts";
import { param, parseSfList, type SfItem } from "../core/limit/structured-field.ts";
import { resilient } from "./helpers/redis-limiter-kit.ts";
import { pipeline, type Pipeline } from "./helpers/redis-pipeline.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";

// The whole pipeline on the Redis limiter, with the response headers read back by a strict
// RFC 8941 parser: draft-10 RateLimit-Policy / RateLimit on allowed responses and on 429s,
// Retry-After never earlier than `t`, the penalty box's 429, and shadow limits kept out of sight.

const POLICY = `
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: fraud, namespace: default }
spec:
  models: ["fraud-*"]
  penaltyBox: { violations: 2, within: 1m, block: 90s }
  rules:
    - name: scientists
      effect: Allow
      subjects: [{ attributes: { team: data_science } }]
      actions: [predict]
      limits:
        - { name: minute, requests: 3, per: 1m }
        - { name: trial, requests: 1, per: 1h, shadow: true }
  limits: [{ name: org-day, requests: 1000, per: 1d, by: "attribute:org" }]
`;

let redis: RedisProcess;
let handle: RedisLimiterHandle;
let app: Pipeline;

beforeAll(async () => {
  redis = await startRedis();
  handle = await resilient(redis.url, { deadline: "500ms" });
  app = pipeline(POLICY, { dana: { team: "data_science", org: "acme" } }, handle.limiter);
});

afterAll(async () => {
  await handle?.close();
  await redis?.stop();
});

function headersOf(response: AuthzResponse): Map<string, string> {
  const pairs = response.allowed ? response.responseHeaders : response.headers;
  const map = new Map<string, string>();
  for (const [k, v] of pairs) {
    expect(map.has(k), `${k} twice`).toBe(false);
    map.set(k, v);
  }
  return map;
}

function integer(item: SfItem, key: string): number {
  const value = param(item, key);
  if (value?.type !== "integer") throw new Error(`${key} is not an Integer`);
  return value.value;
}

function fields(decision: Decision) {
  const headers = headersOf(respond(decision));
  const policy = parseSfList(headers.get("ratelimit-policy") ?? "");
  const limit = parseSfList(headers.get("ratelimit") ?? "");
  return {
    headers,
    policy: policy.map((i) => [i.value.value, integer(i, "q"), integer(i, "w")]),
    limit: limit.map((i) => [i.value.value, integer(i, "r"), integer(i, "t")] as const),
  };
}

describe("RateLimit headers through the pipeline on the Redis limiter", () => {
  it("allowed, then 429 rate_limited, then 429 penalty_box, every header well-formed", async () => {
    const allowed = await Promise.all([1, 2, 3].map(() => app.predict("dana")));
    for (const d of allowed) expect(d).toMatchObject({ allowed: true, rateLimit: { mode: "redis" } });
    const third = fields(allowed[2] as Decision);
    expect(third.policy).toEqual([
      ["minute", 3, 60],
      ["org-day", 1000, 86400],
    ]);
    expect(third.limit.map(([name, r]) => [name, r])).toEqual([
      ["minute", 0],
      ["org-day", 997],
    ]);
    expect(allowed[2]?.rateLimit?.shadowed).toEqual(["trial"]);

    const limited = await app.predict("dana");
    expect(limited).toMatchObject({ allowed: false, reason: "rate_limited" });
    const four = fields(limited);
    expect(four.limit.map(([name, r]) => [name, r])).toEqual([["minute", 0]]);
    const retryAfter = Number(four.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(four.limit[0]?.[2] ?? Infinity);

    const boxed = await app.predict("dana");
    expect(boxed).toMatchObject({ allowed: false, reason: "penalty_box", rateLimit: { penaltyBox: true } });
    const five = fields(boxed);
    expect(five.headers.get("retry-after")).toBe("90");
    expect(five.limit).toEqual([
      ["minute", 0, 90],
      ["org-day", 0, 90],
    ]);
    expect(respond(boxed)).toMatchObject({ allowed: false, httpStatus: 429, grpcCode: 8 });
  });
});
