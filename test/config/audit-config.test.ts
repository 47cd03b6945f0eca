import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AUDIT_DEFAULTS, replicaIdFrom, type AuditConfig } from "../../src/core/audit/audit-config.ts";
import { parseAuditConfig, resolveAuditConfig } from "../../src/config/parse-audit.ts";

const ROOT = join(import.meta.dirname, "../fixtures/audit/config");
const section = (dir: string, file: string): unknown => (parse(readFileSync(join(ROOT, dir, file), "utf8")) as { audit: unknown }).audit;

// file → [issue path, message substring]
const INVALID: Readonly<Record<string, readonly [string, string]>> = {
  "buffer-bytes-too-small.yaml": ["audit.buffer.maxBytes", "integer from 65536"],
  "buffer-zero-records.yaml": ["audit.buffer.maxRecords", "integer from 1"],
  "chain-id-with-space.yaml": ["audit.chainId", "letters, digits"],
  "checkpoint-every-zero-seconds.yaml": ["audit.checkpoint.everySeconds", "integer from 1"],
  "checkpoint-not-a-mapping.yaml": ["audit.checkpoint", "must be a mapping"],
  "fail-mode-typo.yaml": ["audit.failMode", 'one of closed, open (got "close")'],
  "file-unknown-key.yaml": ["audit.file.rotateBytes", 'unknown field "rotateBytes"'],
  "fsync-always.yaml": ["audit.file.fsync", "one of batch, none"],
  "hmac-key-file-number.yaml": ["audit.hmacKeyFile", "must be a string"],
  "outcomes-enabled-string.yaml": ["audit.outcomes.enabled", "true or false"],
  "redis-key-with-braces.yaml": ["audit.redis.key", "letters, digits"],
  "subjects-sha256.yaml": ["audit.subjects", "one of plain, hmac"],
  "unknown-key.yaml": ["audit.sinks", 'unknown field "sinks"'],
  "unknown-sink.yaml": ["audit.sink", "one of stdout, file, redis"],
  "write-timeout-string.yaml": ["audit.writeTimeoutMs", "integer from 10"],
};

describe("parseAuditConfig", () => {
  it("has a fixture for every invalid case and a case for every fixture", () => {
    expect(readdirSync(join(ROOT, "invalid")).sort()).toEqual(Object.keys(INVALID).sort());
  });

  it.each(Object.entries(INVALID))("rejects %s", (file, [path, message]) => {
    const result = parseAuditConfig(section("invalid", file), "audit");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it("applies the documented defaults to an absent section", () => {
    expect(parseAuditConfig(undefined, "audit")).toEqual({ ok: true, value: AUDIT_DEFAULTS });
    expect(AUDIT_DEFAULTS).toMatchObject({ sink: "stdout", failMode: "closed", writeTimeoutMs: 2000, buffer: { maxRecords: 10_000 } });
  });

  it("reads every field", () => {
    const result = parseAuditConfig(section("valid", "every-field.yaml"), "audit");
    expect(result).toEqual({
      ok: true,
      value: {
        sink: "file",
        failMode: "open",
        chainId: "modelgate-0",
        hmacKeyFile: "secrets/audit-hmac.key",
        subjects: "hmac",
        signingKeyFile: "secrets/audit-signing.pem",
        checkpoint: { everyRecords: 500, everySeconds: 30 },
        buffer: { maxRecords: 20000, maxBytes: 33554432 },
        batch: { maxRecords: 256, maxBytes: 524288, flushIntervalMs: 10 },
        writeTimeoutMs: 1000,
        file: { path: "/var/log/modelgate/audit.jsonl", maxBytes: 10485760, maxAgeSeconds: 3600, fsync: "none" },
        redis: { url: "redis://redis:6379", key: "mg:audit", maxLen: 50000 },
        outcomes: { enabled: true, waitSeconds: 120, maxPending: 5000 },
      } satisfies AuditConfig,
    });
  });

  it("reports every problem, not only the first", () => {
    const result = parseAuditConfig({ sink: "kafka", failMode: 1, file: { fsync: "x", extra: 1 }, bogus: true }, "audit");
    expect(result.ok ? [] : result.error.map((i) => i.path).sort()).toEqual([
      "audit.bogus",
      "audit.failMode",
      "audit.file.extra",
      "audit.file.fsync",
      "audit.sink",
    ]);
  });

  it("rejects a section that is not a mapping", () => {
    expect(parseAuditConfig(["stdout"], "audit")).toEqual({ ok: false, error: [{ path: "audit", message: "must be a mapping" }] });
  });
});

describe("resolveAuditConfig", () => {
  const base = AUDIT_DEFAULTS;

  it.each<[string, Partial<AuditConfig>, Record<string, string>, Partial<AuditConfig> | string]>([
    [
      "MODELGATE_AUDIT_FILE selects the file sink",
      {},
      { MODELGATE_AUDIT_FILE: "/tmp/a.jsonl" },
      { sink: "file", file: { ...base.file, path: "/tmp/a.jsonl" } },
    ],
    ["the file sink needs a path", { sink: "file" }, {}, "audit.file.path"],
    [
      "MODELGATE_REDIS_URL fills an empty redis.url",
      { sink: "redis" },
      { MODELGATE_REDIS_URL: "redis://r:6379" },
      { redis: { ...base.redis, url: "redis://r:6379" } },
    ],
    [
      "the file's redis.url wins over MODELGATE_REDIS_URL",
      { sink: "redis", redis: { ...base.redis, url: "redis://a" } },
      { MODELGATE_REDIS_URL: "redis://b" },
      { redis: { ...base.redis, url: "redis://a" } },
    ],
    ["the redis sink needs a URL", { sink: "redis" }, {}, "audit.redis.url"],
    ["a batch cannot exceed the buffer", { buffer: { ...base.buffer, maxRecords: 10 } }, {}, "audit.batch.maxRecords"],
  ])("%s", (_name, overrides, env, expected) => {
    const result = resolveAuditConfig({ ...base, ...overrides }, env, "audit");
    if (typeof expected === "string") expect(result.ok ? [] : result.error.map((i) => i.path)).toEqual([expected]);
    else expect(result).toEqual({ ok: true, value: { ...base, ...overrides, ...expected } });
  });
});

describe("replicaIdFrom", () => {
  it.each<[Record<string, string>, string]>([
    [{ POD_NAME: "modelgate-7d9f-abcde", HOSTNAME: "h" }, "modelgate-7d9f-abcde"],
    [{ HOSTNAME: "laptop.local" }, "laptop.local"],
    [{}, "modelgate"],
    [{ POD_NAME: "--we ird\nname" }, "we-ird-name"],
  ])("%j → %s", (env, expected) => {
    expect(replicaIdFrom(env)).toBe(expected);
  });
});
