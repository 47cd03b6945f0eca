import { describe, expect, it } from "vitest";
import { parseLimiterSection } from "../../src/config/parse-redis-limiter.ts";
import { parseAnomalyConfig, resolveAnomalyConfig } from "../../src/config/parse-anomaly.ts";
import { AUDIT_DEFAULTS } from "../../src/core/audit/audit-config.ts";
import { resolveAuditConfig } from "../../src/config/parse-audit.ts";
import { withRedisPassword } from "../../src/core/redis-password.ts";

describe("MODELGATE_REDIS_PASSWORD", () => {
  it.each([
    ["overrides the URL's password", { MODELGATE_REDIS_URL: "redis://u:old@r:6379", MODELGATE_REDIS_PASSWORD: "s3cret" }, "s3cret"],
    ["supplies one the URL lacks", { MODELGATE_REDIS_URL: "redis://r:6379", MODELGATE_REDIS_PASSWORD: "s3cret" }, "s3cret"],
    ["leaves the URL's password when empty", { MODELGATE_REDIS_URL: "redis://u:old@r:6379", MODELGATE_REDIS_PASSWORD: "" }, "old"],
  ])("%s", (_name, env, password) => {
    const { redis, issues } = parseLimiterSection(undefined, env);
    expect(issues).toEqual([]);
    expect(redis?.target.password).toBe(password);
  });

  it("applies to the file's target too", () => {
    const { redis } = parseLimiterSection({ redis: { topology: "standalone", nodes: ["r:6379"] } }, { MODELGATE_REDIS_PASSWORD: "p" });
    expect(redis?.target.password).toBe("p");
  });

  it("does not switch Redis on by itself", () => {
    expect(parseLimiterSection(undefined, { MODELGATE_REDIS_PASSWORD: "p" }).redis).toBeUndefined();
  });
});

describe("withRedisPassword (audit and anomaly Redis URLs)", () => {
  it.each([
    ["redis://r:6379", "redis://:p%40ss@r:6379"],
    ["redis://u:old@r:6379/2", "redis://u:p%40ss@r:6379/2"],
    ["rediss+sentinel://u@s1:26379,s2:26379/mymaster", "rediss+sentinel://u:p%40ss@s1:26379,s2:26379/mymaster"],
    ["", ""],
  ])("%s", (url, expected) => {
    expect(withRedisPassword(url, "p@ss")).toBe(expected);
  });

  it("reaches the audit and anomaly configurations", () => {
    const env = { MODELGATE_REDIS_URL: "redis://r:6379", MODELGATE_REDIS_PASSWORD: "pw" };
    const audit = resolveAuditConfig({ ...AUDIT_DEFAULTS, sink: "redis" }, env, "audit");
    expect(audit.ok && audit.value.redis.url).toBe("redis://:pw@r:6379");
    const parsed = parseAnomalyConfig({ enabled: true }, "anomaly");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    const anomaly = resolveAnomalyConfig(parsed.value, env, "anomaly");
    expect(anomaly.ok && anomaly.value.redis.url).toBe("redis://:pw@r:6379");
  });
});
