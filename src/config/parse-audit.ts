import { isAbsolute, resolve } from "node:path";
import { AUDIT_DEFAULTS, type AuditConfig, type AuditFileConfig, type AuditRedisConfig } from "../core/audit/audit-config.ts";
import { isValidChainId } from "../core/audit/chain.ts";
import { ConfigReader } from "../core/parse/config-reader.ts";
import { err, ok, type Issue, type Result } from "../core/result.ts";
import { redisSectionUrl } from "./redis-section-url.ts";

// `audit:` in the configuration file (see README "Audit log"). Unknown keys are rejected and
// every problem is reported with its path. Key and log file paths are made absolute: relative
// to the configuration file, or to the working directory when they come from
// MODELGATE_AUDIT_FILE.

const MiB = 1024 * 1024;
const TOP_KEYS = [
  "sink",
  "failMode",
  "chainId",
  "hmacKeyFile",
  "subjects",
  "signingKeyFile",
  "checkpoint",
  "buffer",
  "batch",
  "writeTimeoutMs",
  "file",
  "redis",
  "outcomes",
];
const REDIS_KEY = /^[A-Za-z0-9:._-]{1,100}$/;

export function parseAuditConfig(raw: unknown, path: string): Result<AuditConfig, Issue[]> {
  const r = new ConfigReader(path);
  const top = r.section(raw, "", TOP_KEYS);
  const d = AUDIT_DEFAULTS;
  const chainId = r.string(top, "chainId", d.chainId);
  if (chainId !== "" && !isValidChainId(chainId))
    r.issue("chainId", "must be 1–128 characters: letters, digits and . _ : @ + / - (starting with a letter or digit)");
  const config: AuditConfig = {
    sink: r.oneOf(top, "sink", ["stdout", "file", "redis"] as const, d.sink),
    failMode: r.oneOf(top, "failMode", ["closed", "open"] as const, d.failMode),
    chainId,
    hmacKeyFile: r.string(top, "hmacKeyFile", d.hmacKeyFile),
    subjects: r.oneOf(top, "subjects", ["plain", "hmac"] as const, d.subjects),
    signingKeyFile: r.string(top, "signingKeyFile", d.signingKeyFile),
    checkpoint: checkpointSection(r, top),
    buffer: bufferSection(r, top),
    batch: batchSection(r, top),
    writeTimeoutMs: r.integer(top, "writeTimeoutMs", d.writeTimeoutMs, 10, 600_000),
    file: fileSection(r, top),
    redis: redisSection(r, top),
    outcomes: outcomesSection(r, top),
  };
  return r.issues.length > 0 ? err(r.issues) : ok(config);
}

function checkpointSection(r: ConfigReader, top: Record<string, unknown>): AuditConfig["checkpoint"] {
  const s = r.section(top["checkpoint"], "checkpoint", ["everyRecords", "everySeconds"]);
  const d = AUDIT_DEFAULTS.checkpoint;
  return {
    everyRecords: r.integer(s, "checkpoint.everyRecords", d.everyRecords, 1, 10_000_000),
    everySeconds: r.integer(s, "checkpoint.everySeconds", d.everySeconds, 1, 86_400),
  };
}

function bufferSection(r: ConfigReader, top: Record<string, unknown>): AuditConfig["buffer"] {
  const s = r.section(top["buffer"], "buffer", ["maxRecords", "maxBytes"]);
  const d = AUDIT_DEFAULTS.buffer;
  return {
    maxRecords: r.integer(s, "buffer.maxRecords", d.maxRecords, 1, 10_000_000),
    maxBytes: r.integer(s, "buffer.maxBytes", d.maxBytes, 64 * 1024, 4096 * MiB),
  };
}

function batchSection(r: ConfigReader, top: Record<string, unknown>): AuditConfig["batch"] {
  const s = r.section(top["batch"], "batch", ["maxRecords", "maxBytes", "flushIntervalMs"]);
  const d = AUDIT_DEFAULTS.batch;
  return {
    maxRecords: r.integer(s, "batch.maxRecords", d.maxRecords, 1, 100_000),
    maxBytes: r.integer(s, "batch.maxBytes", d.maxBytes, 16 * 1024, 256 * MiB),
    flushIntervalMs: r.integer(s, "batch.flushIntervalMs", d.flushIntervalMs, 1, 60_000),
  };
}

function fileSection(r: ConfigReader, top: Record<string, unknown>): AuditFileConfig {
  const s = r.section(top["file"], "file", ["path", "maxBytes", "maxAgeSeconds", "fsync"]);
  const d = AUDIT_DEFAULTS.file;
  return {
    path: r.string(s, "file.path", d.path),
    maxBytes: r.integer(s, "file.maxBytes", d.maxBytes, 64 * 1024, 1024 * 1024 * MiB),
    maxAgeSeconds: r.integer(s, "file.maxAgeSeconds", d.maxAgeSeconds, 0, 366 * 86_400),
    fsync: r.oneOf(s, "file.fsync", ["batch", "none"] as const, d.fsync),
  };
}

function redisSection(r: ConfigReader, top: Record<string, unknown>): AuditRedisConfig {
  const s = r.section(top["redis"], "redis", ["url", "key", "maxLen"]);
  const d = AUDIT_DEFAULTS.redis;
  const key = r.string(s, "redis.key", d.key);
  if (!REDIS_KEY.test(key)) r.issue("redis.key", "must be 1–100 characters: letters, digits and : . _ -");
  return { url: r.string(s, "redis.url", d.url), key, maxLen: r.integer(s, "redis.maxLen", d.maxLen, 1000, 1_000_000_000) };
}

function outcomesSection(r: ConfigReader, top: Record<string, unknown>): AuditConfig["outcomes"] {
  const s = r.section(top["outcomes"], "outcomes", ["enabled", "waitSeconds", "maxPending"]);
  const d = AUDIT_DEFAULTS.outcomes;
  return {
    enabled: r.boolean(s, "outcomes.enabled", d.enabled),
    waitSeconds: r.integer(s, "outcomes.waitSeconds", d.waitSeconds, 1, 86_400),
    maxPending: r.integer(s, "outcomes.maxPending", d.maxPending, 1, 10_000_000),
  };
}

// Environment overrides, then the checks that need them: MODELGATE_AUDIT_FILE selects the file
// sink with that path; MODELGATE_REDIS_URL fills redis.url when the file leaves it empty.
export function resolveAuditConfig(
  config: AuditConfig,
  env: Readonly<Record<string, string | undefined>>,
  path: string,
): Result<AuditConfig, Issue[]> {
  const auditFile = env["MODELGATE_AUDIT_FILE"] ?? "";
  const redisUrl = redisSectionUrl(config.redis.url, env);
  const resolved: AuditConfig = {
    ...config,
    sink: auditFile !== "" ? "file" : config.sink,
    file: auditFile !== "" ? { ...config.file, path: auditFile } : config.file,
    redis: { ...config.redis, url: redisUrl },
  };
  const issues: Issue[] = [];
  if (resolved.sink === "file" && resolved.file.path === "")
    issues.push({ path: `${path}.file.path`, message: "is required for the file sink (or set MODELGATE_AUDIT_FILE)" });
  if (resolved.sink === "redis" && resolved.redis.url === "")
    issues.push({ path: `${path}.redis.url`, message: "is required for the redis sink (or set MODELGATE_REDIS_URL)" });
  if (resolved.batch.maxRecords > resolved.buffer.maxRecords)
    issues.push({ path: `${path}.batch.maxRecords`, message: "must not exceed buffer.maxRecords" });
  return issues.length > 0 ? err(issues) : ok(resolved);
}

function absolute(path: string, baseDir: string): string {
  return path === "" || isAbsolute(path) ? path : resolve(baseDir, path);
}

export function parseAuditSection(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  baseDir: string,
): { config: AuditConfig; issues: Issue[] } {
  const parsed = parseAuditConfig(value ?? {}, "audit");
  if (!parsed.ok) return { config: AUDIT_DEFAULTS, issues: parsed.error };
  const fromFile: AuditConfig = {
    ...parsed.value,
    hmacKeyFile: absolute(parsed.value.hmacKeyFile, baseDir),
    signingKeyFile: absolute(parsed.value.signingKeyFile, baseDir),
    file: { ...parsed.value.file, path: absolute(parsed.value.file.path, baseDir) },
  };
  const resolved = resolveAuditConfig(fromFile, env, "audit");
  if (!resolved.ok) return { config: AUDIT_DEFAULTS, issues: resolved.error };
  // The file's own paths are absolute by now; only one from the environment can still be relative.
  const file = { ...resolved.value.file, path: absolute(resolved.value.file.path, resolve()) };
  return { config: { ...resolved.value, file }, issues: [] };
}
