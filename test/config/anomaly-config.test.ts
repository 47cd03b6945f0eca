import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseAnomalyConfig, resolveAnomalyConfig } from "../../src/config/parse-anomaly.ts";
import { RULE_DEFAULTS } from "../../src/core/anomaly/anomaly-rules-config.ts";

const ROOT = join(import.meta.dirname, "../fixtures/anomaly");
const section = (dir: string, file: string): unknown =>
  (parse(readFileSync(join(ROOT, dir, file), "utf8")) as { anomaly: unknown }).anomaly;

// file → [issue path, message substring]
const INVALID: Readonly<Record<string, readonly [string, string]>> = {
  "cooldown-number.yaml": ["anomaly.rules.volume.cooldown", "must be a duration"],
  "enabled-string.yaml": ["anomaly.enabled", "true or false"],
  "limit-factor-one.yaml": ["anomaly.rules.volume.limitFactor", "to 0.999"],
  "limit-factor-rounds-to-zero.yaml": ["anomaly.rules.volume.limitFactor", "from 0.001 to 0.999"],
  "max-in-flight-zero.yaml": ["anomaly.maxInFlight", "integer from 1"],
  "policies-empty-section.yaml": ["anomaly.policies", "moved to each AccessPolicy's spec.anomaly"],
  "policies-moved-to-access-policy.yaml": ["anomaly.policies", "moved to each AccessPolicy's spec.anomaly"],
  "probing-denial-class.yaml": ["anomaly.rules.probing.denialStatuses", "exact statuses"],
  "probing-error-status-typo.yaml": ["anomaly.rules.probing.errorStatuses[0]", 'class such as "5xx" (got "50x")'],
  "probing-share-percent.yaml": ["anomaly.rules.probing.share", "at most 1"],
  "reconnaissance-models-one.yaml": ["anomaly.rules.reconnaissance.models", "integer from 2"],
  "redis-key-prefix-braces.yaml": ["anomaly.redis.keyPrefix", "no braces"],
  "response-typo.yaml": ["anomaly.rules.sharing.response", 'one of alert, lower-limits, block (got "deny")'],
  "rule-unknown.yaml": ["anomaly.rules.bruteforce", 'unknown field "bruteforce"; allowed: volume, probing, reconnaissance, sharing'],
  "sharing-sources-string.yaml": ["anomaly.rules.sharing.sources", "integer from 2"],
  "unknown-key.yaml": ["anomaly.enable", 'unknown field "enable"; did you mean "enabled"?'],
  "volume-factor-one.yaml": ["anomaly.rules.volume.factor", "greater than 1"],
  "volume-window-fraction.yaml": ["anomaly.rules.volume.window", "fractions are not supported"],
  "window-too-short.yaml": ["anomaly.rules.reconnaissance.window", "from 1s"],
};

describe("parseAnomalyConfig", () => {
  it("has a fixture for every invalid case and a case for every fixture", () => {
    expect(readdirSync(join(ROOT, "invalid")).sort()).toEqual(Object.keys(INVALID).sort());
  });

  it.each(Object.entries(INVALID))("rejects %s", (file, [path, message]) => {
    const result = parseAnomalyConfig(section("invalid", file), "anomaly");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it("applies the documented defaults to an absent section", () => {
    const result = parseAnomalyConfig(undefined, "anomaly");
    expect(result).toEqual({
      ok: true,
      value: {
        enabled: false,
        redis: { url: "", keyPrefix: "mg:an", timeoutMs: 250 },
        maxInFlight: 1024,
        outcomes: { maxPending: 100_000, waitMs: 300_000 },
        rules: RULE_DEFAULTS,
      },
    });
    expect(RULE_DEFAULTS.volume).toMatchObject({
      windowMs: 60_000,
      factorPermille: 10_000,
      minRequests: 300,
      baselineWindows: 60,
      response: "alert",
      cooldownMs: 600_000,
      periodMs: 900_000,
    });
    expect(RULE_DEFAULTS.probing).toMatchObject({ windowMs: 300_000, sharePermille: 500, minRequests: 20, denialStatuses: [400, 403] });
    expect(RULE_DEFAULTS.reconnaissance).toMatchObject({ windowMs: 600_000, models: 20 });
    expect(RULE_DEFAULTS.sharing).toMatchObject({ windowMs: 600_000, sources: 20 });
  });

  it("reads every field", () => {
    const result = parseAnomalyConfig(section("valid", "every-field.yaml"), "anomaly");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const c = result.value;
    expect(c).toMatchObject({
      enabled: true,
      redis: { url: "redis://redis:6379/0", keyPrefix: "mg:anomaly", timeoutMs: 100 },
      maxInFlight: 512,
      outcomes: { maxPending: 5000, waitMs: 120_000 },
    });
    expect(c.rules.volume).toEqual({
      enabled: true,
      windowMs: 60_000,
      factorPermille: 8500,
      minRequests: 200,
      baselineWindows: 120,
      response: "lower-limits",
      limitFactorPermille: 250,
      periodMs: 1_800_000,
      cooldownMs: 900_000,
    });
    expect(c.rules.probing).toMatchObject({
      windowMs: 600_000,
      sharePermille: 600,
      minRequests: 30,
      denialStatuses: [403],
      errorStatuses: [
        { kind: "class", hundreds: 5 },
        { kind: "exact", code: 429 },
      ],
      response: "block",
      periodMs: 3_600_000,
    });
    expect(c.rules.reconnaissance).toMatchObject({ windowMs: 300_000, models: 10, response: "alert", cooldownMs: 300_000 });
    expect(c.rules.sharing).toMatchObject({ enabled: false, windowMs: 3_600_000, sources: 50, response: "block", periodMs: 86_400_000 });
  });

  it("reports every problem, not only the first", () => {
    const result = parseAnomalyConfig(
      { enabled: 1, rules: { volume: { factor: 0 }, sharing: { sources: 1, extra: true } }, bogus: 1 },
      "anomaly",
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error.map((i) => i.path).sort()).toEqual([
        "anomaly.bogus",
        "anomaly.enabled",
        "anomaly.rules.sharing.extra",
        "anomaly.rules.sharing.sources",
        "anomaly.rules.volume.factor",
      ]);
  });
});

describe("resolveAnomalyConfig", () => {
  const parsed = (raw: unknown) => {
    const r = parseAnomalyConfig(raw, "anomaly");
    if (!r.ok) throw new Error("fixture config is invalid");
    return r.value;
  };

  it.each([
    ["the file's URL wins", { enabled: true, redis: { url: "redis://a:1" } }, { MODELGATE_REDIS_URL: "redis://b:2" }, "redis://a:1"],
    ["MODELGATE_REDIS_URL fills an empty URL", { enabled: true }, { MODELGATE_REDIS_URL: "redis://b:2" }, "redis://b:2"],
    ["disabled needs no URL", { enabled: false }, {}, ""],
  ])("%s", (_name, raw, env, url) => {
    expect(resolveAnomalyConfig(parsed(raw), env, "anomaly")).toMatchObject({ ok: true, value: { redis: { url } } });
  });

  it("requires a Redis URL when enabled", () => {
    expect(resolveAnomalyConfig(parsed({ enabled: true }), {}, "anomaly")).toEqual({
      ok: false,
      error: [{ path: "anomaly.redis.url", message: expect.stringContaining("MODELGATE_REDIS_URL") }],
    });
  });
});
