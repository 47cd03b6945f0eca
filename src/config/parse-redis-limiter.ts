import { parseDuration } from "../core/policy/duration.ts";
import type { FieldParser, Issues } from "../core/parse/fields.ts";
import {
  describe,
  fieldPath,
  integerParser,
  isPlainObject,
  optionalField,
  own,
  readBoolean,
  readList,
  readObject,
  readString,
  rejectUnknownKeys,
} from "../core/parse/fields.ts";
import { err, ok, type Issue, type Result } from "../core/result.ts";
import { DEFAULT_PORT, parseEndpoint, parseRedisUrl, type RedisEndpoint, type RedisTarget, type RedisTopology } from "../core/redis-url.ts";
import { REDIS_LIMITER_DEFAULTS, type BreakerConfig, type RedisLimiterConfig } from "../core/limit/redis-limiter-config.ts";

// The `limiter.redis` section. Either `url` or the explicit `topology` + `nodes` (+ `sentinelName`,
// `db`, `tls`, `username`); credentials only travel in the URL, which normally comes from
// MODELGATE_REDIS_URL (a Secret), never from the config file.

const KEYS = [
  "url",
  "topology",
  "nodes",
  "sentinelName",
  "db",
  "tls",
  "username",
  "deadline",
  "connectTimeout",
  "localShare",
  "shadow",
  "breaker",
  "denyCacheSize",
] as const;
const TARGET_KEYS = ["topology", "nodes", "sentinelName", "db", "tls", "username"] as const;

export function parseRedisLimiterConfig(raw: unknown, path: string): Result<RedisLimiterConfig, Issue[]> {
  const issues: Issues = [];
  const obj = readObject(raw, path, issues);
  if (obj === undefined) return err(issues);
  rejectUnknownKeys(obj, KEYS, path, issues);
  const target = parseTarget(obj, path, issues);
  const d = REDIS_LIMITER_DEFAULTS;
  const deadlineMs = optionalField(obj, "deadline", path, issues, durationParser(1_000)) ?? d.deadlineMs;
  const connectTimeoutMs = optionalField(obj, "connectTimeout", path, issues, durationParser(60_000)) ?? d.connectTimeoutMs;
  const localShare = optionalField(obj, "localShare", path, issues, readShare) ?? d.localShare;
  const shadow = optionalField(obj, "shadow", path, issues, readBoolean) ?? d.shadow;
  const breaker = optionalField(obj, "breaker", path, issues, parseBreaker) ?? d.breaker;
  const denyCacheSize = optionalField(obj, "denyCacheSize", path, issues, integerParser(0, 10_000_000)) ?? d.denyCacheSize;
  if (issues.length > 0 || target === undefined) return err(issues);
  return ok(Object.freeze({ target, deadlineMs, connectTimeoutMs, localShare, shadow, breaker, denyCacheSize }));
}

// MODELGATE_REDIS_URL wins over whatever target the file names.
export function withRedisUrl(raw: unknown, url: string): Readonly<Record<string, unknown>> {
  const base = isPlainObject(raw) ? raw : {};
  const kept = Object.entries(base).filter(([k]) => !(TARGET_KEYS as readonly string[]).includes(k));
  return { ...Object.fromEntries(kept), url };
}

function parseTarget(obj: Readonly<Record<string, unknown>>, path: string, issues: Issues): RedisTarget | undefined {
  const explicit = TARGET_KEYS.filter((k) => own(obj, k) !== undefined);
  if (own(obj, "url") !== undefined) {
    for (const k of explicit)
      issues.push({ path: fieldPath(path, k), message: "give either url or the explicit topology/nodes fields, not both" });
    return optionalField(obj, "url", path, issues, (v, p, i) => {
      const text = readString(v, p, i);
      const parsed = text === undefined ? undefined : parseRedisUrl(text);
      if (parsed !== undefined && !parsed.ok) i.push({ path: p, message: parsed.error });
      return parsed?.ok === true ? parsed.value : undefined;
    });
  }
  if (explicit.length === 0) {
    issues.push({ path: fieldPath(path, "url"), message: "is required (or topology and nodes)" });
    return undefined;
  }
  return parseExplicitTarget(obj, path, issues);
}

function parseExplicitTarget(obj: Readonly<Record<string, unknown>>, path: string, issues: Issues): RedisTarget | undefined {
  const before = issues.length;
  const topology = optionalField(obj, "topology", path, issues, readTopology) ?? "standalone";
  const nodes = optionalField(obj, "nodes", path, issues, (v, p, i) =>
    readList(v, 1, p, i, (n, np) => readEndpoint(n, np, i, DEFAULT_PORT[topology])),
  );
  const sentinelName = optionalField(obj, "sentinelName", path, issues, readString) ?? "";
  const db = optionalField(obj, "db", path, issues, integerParser(0, 99)) ?? 0;
  const tls = optionalField(obj, "tls", path, issues, readBoolean) ?? false;
  const username = optionalField(obj, "username", path, issues, readString);
  if (nodes === undefined && issues.length === before) issues.push({ path: fieldPath(path, "nodes"), message: "is required" });
  if (topology === "standalone" && nodes !== undefined && nodes.length !== 1)
    issues.push({ path: fieldPath(path, "nodes"), message: "standalone takes exactly one node" });
  if (topology === "sentinel" && sentinelName === "")
    issues.push({ path: fieldPath(path, "sentinelName"), message: "is required for sentinel" });
  if (topology !== "sentinel" && sentinelName !== "")
    issues.push({ path: fieldPath(path, "sentinelName"), message: "only applies to sentinel" });
  if (topology === "cluster" && db !== 0) issues.push({ path: fieldPath(path, "db"), message: "Redis Cluster has only database 0" });
  if (issues.length > before || nodes === undefined) return undefined;
  return { topology, nodes, sentinelName, db, tls, username, password: undefined };
}

function readTopology(value: unknown, path: string, issues: Issues): RedisTopology | undefined {
  if (value === "standalone" || value === "sentinel" || value === "cluster") return value;
  issues.push({ path, message: `expected standalone, sentinel or cluster, got ${describe(value)}` });
  return undefined;
}

function readEndpoint(value: unknown, path: string, issues: Issues, defaultPort: number): RedisEndpoint | undefined {
  const text = readString(value, path, issues);
  const parsed = text === undefined ? undefined : parseEndpoint(text, defaultPort);
  if (parsed !== undefined && !parsed.ok) issues.push({ path, message: parsed.error });
  return parsed?.ok === true ? parsed.value : undefined;
}

function durationParser(maxMs: number): FieldParser<number> {
  return (value, path, issues) => {
    const text = readString(value, path, issues);
    if (text === undefined) return undefined;
    const parsed = parseDuration(text);
    if (parsed.ok && parsed.value <= maxMs) return parsed.value;
    issues.push({ path, message: parsed.ok ? `must be at most ${maxMs} ms` : `${JSON.stringify(text.slice(0, 40))}: ${parsed.error}` });
    return undefined;
  };
}

function readShare(value: unknown, path: string, issues: Issues): number | undefined {
  if (typeof value === "number" && value > 0 && value <= 1) return value;
  issues.push({ path, message: `expected a number above 0 and at most 1 (e.g. 1/replicas), got ${describe(value)}` });
  return undefined;
}

function parseBreaker(value: unknown, path: string, issues: Issues): BreakerConfig | undefined {
  const obj = readObject(value, path, issues);
  if (obj === undefined) return undefined;
  const before = issues.length;
  rejectUnknownKeys(obj, ["failures", "openFor"], path, issues);
  const failures = optionalField(obj, "failures", path, issues, integerParser(1, 1000)) ?? REDIS_LIMITER_DEFAULTS.breaker.failures;
  const openForMs = optionalField(obj, "openFor", path, issues, durationParser(60_000)) ?? REDIS_LIMITER_DEFAULTS.breaker.openForMs;
  return issues.length > before ? undefined : Object.freeze({ failures, openForMs });
}

// `limiter:` holds only `redis`; MODELGATE_REDIS_URL wins over the target the file names, and
// MODELGATE_REDIS_PASSWORD over the URL's password. Absent: the in-process limiter.
export function parseLimiterSection(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { redis: RedisLimiterConfig | undefined; issues: Issue[] } {
  if (value !== undefined && !isPlainObject(value))
    return { redis: undefined, issues: [{ path: "limiter", message: "must be a mapping with only `redis`" }] };
  const unknown: Issue[] = [];
  if (value !== undefined) rejectUnknownKeys(value, ["redis"], "limiter", unknown);
  if (unknown.length > 0) return { redis: undefined, issues: unknown };
  const url = env["MODELGATE_REDIS_URL"];
  const raw = value === undefined ? undefined : value["redis"];
  const effective = url !== undefined && url !== "" ? withRedisUrl(raw, url) : raw;
  if (effective === undefined) return { redis: undefined, issues: [] };
  const parsed = parseRedisLimiterConfig(effective, "limiter.redis");
  if (!parsed.ok) return { redis: undefined, issues: parsed.error };
  // MODELGATE_REDIS_PASSWORD (from a Secret) overrides the URL's password, so neither the
  // ConfigMap nor the URL has to carry it.
  const password = env["MODELGATE_REDIS_PASSWORD"];
  if (password === undefined || password === "") return { redis: parsed.value, issues: [] };
  return { redis: { ...parsed.value, target: { ...parsed.value.target, password } }, issues: [] };
}
