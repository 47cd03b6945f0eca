import { describe, expect, it } from "vitest";
import { parseLimiterSection } from "../../src/config/parse-sources.ts";

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
