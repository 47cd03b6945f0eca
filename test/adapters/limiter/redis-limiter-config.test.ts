import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REDIS_LIMITER_DEFAULTS } from "../../../src/core/limit/redis-limiter-config.ts";
import { parseRedisLimiterConfig, withRedisUrl } from "../../../src/config/parse-redis-limiter.ts";

// The `limiter.redis` section: one fixture file per mistake, and what each valid form means.

const ROOT = join(import.meta.dirname, "fixtures/redis-config");
const files = (dir: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(".yaml"))
    .sort();
const load = (dir: string, file: string) => parseRedisLimiterConfig(parse(readFileSync(join(ROOT, dir, file), "utf8")), "limiter.redis");

const INVALID: Readonly<Record<string, readonly [string, string]>> = {
  "breaker-unknown-key.yaml": ["limiter.redis.breaker.threshold", 'unknown field "threshold"'],
  "cluster-url-with-db.yaml": ["limiter.redis.url", "Redis Cluster has only database 0"],
  "cluster-with-db.yaml": ["limiter.redis.db", "Redis Cluster has only database 0"],
  "deadline-number.yaml": ["limiter.redis.deadline", "expected a string"],
  "deadline-too-long.yaml": ["limiter.redis.deadline", "at most 1000 ms"],
  "local-share-percent.yaml": ["limiter.redis.localShare", "at most 1"],
  "local-share-zero.yaml": ["limiter.redis.localShare", "above 0"],
  "missing-target.yaml": ["limiter.redis.url", "is required (or topology and nodes)"],
  "sentinel-url-without-master.yaml": ["limiter.redis.url", "ends with /<master name>"],
  "sentinel-without-name.yaml": ["limiter.redis.sentinelName", "is required for sentinel"],
  "shadow-string.yaml": ["limiter.redis.shadow", "expected true or false"],
  "standalone-url-two-hosts.yaml": ["limiter.redis.url", "exactly one host"],
  "topology-unknown.yaml": ["limiter.redis.topology", "expected standalone, sentinel or cluster"],
  "unknown-key.yaml": ["limiter.redis.timeout", 'unknown field "timeout"'],
  "url-and-nodes.yaml": ["limiter.redis.nodes", "either url or the explicit"],
  "url-port-out-of-range.yaml": ["limiter.redis.url", "port 1-65535"],
  "url-unknown-scheme.yaml": ["limiter.redis.url", "expected redis://"],
  "url-with-query.yaml": ["limiter.redis.url", "without query"],
};

describe("invalid limiter.redis fixtures", () => {
  it("every fixture has an expectation and every expectation a fixture", () => {
    expect(files("invalid")).toEqual(Object.keys(INVALID).sort());
  });

  it.each(Object.entries(INVALID))("%s is rejected at %j", (file, [path, message]) => {
    const result = load("invalid", file);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContainEqual({ path, message: expect.stringContaining(message) });
  });
});

const d = REDIS_LIMITER_DEFAULTS;

describe("valid limiter.redis fixtures", () => {
  it.each<[string, object]>([
    [
      "url-standalone.yaml",
      {
        target: {
          topology: "standalone",
          nodes: [{ host: "redis.modelgate", port: 6379 }],
          db: 2,
          tls: false,
          username: undefined,
          password: "s3cret",
          sentinelName: "",
        },
        deadlineMs: d.deadlineMs,
      },
    ],
    [
      "url-sentinel-tls.yaml",
      {
        target: {
          topology: "sentinel",
          nodes: [
            { host: "sentinel-0", port: 26380 },
            { host: "sentinel-1", port: 26379 },
          ],
          sentinelName: "mymaster",
          db: 1,
          tls: true,
        },
      },
    ],
    [
      "url-cluster.yaml",
      {
        target: {
          topology: "cluster",
          nodes: [
            { host: "redis-0", port: 6379 },
            { host: "fd00::1", port: 7000 },
          ],
          db: 0,
          tls: false,
        },
      },
    ],
    [
      "explicit-cluster.yaml",
      {
        target: {
          topology: "cluster",
          nodes: [
            { host: "redis-0", port: 6379 },
            { host: "redis-1", port: 7001 },
          ],
          tls: true,
          username: "modelgate",
          password: undefined,
        },
      },
    ],
    [
      "every-field.yaml",
      {
        deadlineMs: 5,
        connectTimeoutMs: 2000,
        localShare: 0.25,
        shadow: true,
        breaker: { failures: 10, openForMs: 500 },
        denyCacheSize: 500,
      },
    ],
  ])("%s", (file, expected) => {
    const result = load("valid", file);
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value).toMatchObject(expected);
  });

  it("defaults: 10 ms deadline, half of each limit locally, breaker 5 failures / 1 s, 10,000 cached denials", () => {
    const result = parseRedisLimiterConfig({ url: "redis://r" }, "x");
    expect(result.ok && result.value).toMatchObject({
      deadlineMs: 10,
      connectTimeoutMs: 1000,
      localShare: 0.5,
      shadow: false,
      breaker: { failures: 5, openForMs: 1000 },
      denyCacheSize: 10_000,
    });
  });
});

describe("MODELGATE_REDIS_URL", () => {
  it("replaces the target the file names and keeps every other setting", () => {
    const merged = withRedisUrl({ topology: "cluster", nodes: ["a:1"], deadline: "5ms" }, "redis://env:6380");
    const result = parseRedisLimiterConfig(merged, "limiter.redis");
    expect(result.ok && result.value).toMatchObject({
      target: { topology: "standalone", nodes: [{ host: "env", port: 6380 }] },
      deadlineMs: 5,
    });
  });
});
