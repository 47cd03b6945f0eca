import { isAbsolute, resolve } from "node:path";
import { PROTOCOLS, type ProtocolName } from "../core/model-action.ts";
import { DNS_LABEL, DNS_LABEL_TEXT } from "../core/parse/kube-names.ts";
import { modelNameProblem } from "../core/request/profiles/model-name.ts";
import { ROUTING_HEADERS, type RoutingHeader } from "../core/request/routing-headers.ts";
import { err, ok, type Issue, type Result } from "../core/result.ts";
import { isPlainObject, rejectUnknownKeys } from "../core/parse/fields.ts";
import { deepFreeze } from "../core/parse/deep-freeze.ts";
import type { Config } from "./config.ts";
import { topLevelOverrides } from "./env-vars.ts";
import { LOG_LEVELS, type LogLevel } from "../core/log-level.ts";
import { parseIdentityConfig, type IdentityConfig } from "./parse-identity.ts";
import { parseAuditSection } from "./parse-audit.ts";
import { parseAnomalySection } from "./parse-anomaly.ts";
import type { AnomalyConfig } from "../core/anomaly/anomaly-config.ts";
import { parseLimiterSection, type PolicySource } from "./parse-sources.ts";
import { parseKubernetesSection } from "./parse-kubernetes.ts";
import type { KubernetesConfig } from "../adapters/k8s/k8s-config.ts";
import type { RedisLimiterConfig } from "../adapters/limiter/redis-limiter-config.ts";
import type { AuditConfig } from "../core/audit/audit-config.ts";

// Parse, don't cast: the YAML document and the environment go in as `unknown` / strings,
// a frozen Config or every problem (with its path) comes out.

type Raw = Readonly<Record<string, unknown>>;

const DEFAULTS = {
  listen: "127.0.0.1:9001",
  metricsListen: "127.0.0.1:9090",
  model: "",
  protocol: "generic",
  environment: "",
  namespace: "default",
  maxInFlight: 2048,
  maxReceiveBytes: 8 * 1024 * 1024,
  shutdownGraceSeconds: 10,
  logLevel: "info",
  watchFiles: true,
} as const;

const KNOWN_KEYS = [
  "listen",
  "socket",
  "metricsListen",
  "model",
  "protocol",
  "environment",
  "namespace",
  "logLevel",
  "routingHeader",
  "policies",
  "apiKeys",
  "identity",
  "audit",
  "limiter",
  "anomaly",
  "policySource",
  "kubernetes",
  "maxInFlight",
  "maxReceiveBytes",
  "shutdownGraceSeconds",
  "watchFiles",
];

class Reader {
  readonly issues: Issue[] = [];
  readonly raw: Raw;
  readonly env: Readonly<Record<string, string | undefined>>;
  // Environment wins over the file for these keys (the table is config/env-vars.ts).
  readonly overrides = topLevelOverrides();

  constructor(raw: Raw, env: Readonly<Record<string, string | undefined>>) {
    this.raw = raw;
    this.env = env;
  }

  // Where a value came from: an environment override is reported as `$MODELGATE_…`, so the
  // problem is not looked for in the file.
  pathOf(key: string): string {
    const name = this.overrides[key];
    return name !== undefined && this.env[name] !== undefined ? `$${name}` : key;
  }

  string(key: string, fallback: string): string {
    const name = this.overrides[key];
    const fromEnv = name === undefined ? undefined : this.env[name];
    const value = fromEnv ?? this.raw[key] ?? fallback;
    if (typeof value !== "string") {
      this.issues.push({ path: key, message: "must be a string" });
      return fallback;
    }
    return value;
  }

  namespace(key: string, fallback: string): string {
    const value = this.string(key, fallback);
    if (!DNS_LABEL.test(value)) this.issues.push({ path: this.pathOf(key), message: `${DNS_LABEL_TEXT} (got ${JSON.stringify(value)})` });
    return value;
  }

  // "" (no model of its own) or a name every profile would accept.
  model(key: string, fallback: string): string {
    const value = this.string(key, fallback);
    const problem = value === "" ? undefined : modelNameProblem(value);
    if (problem !== undefined) this.issues.push({ path: this.pathOf(key), message: `${problem} (got ${JSON.stringify(value.slice(0, 80))})` });
    return value;
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    const value = this.raw[key] ?? fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.issues.push({ path: key, message: `must be an integer from ${min} to ${max}` });
      return fallback;
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw[key] ?? fallback;
    if (typeof value !== "boolean") this.issues.push({ path: key, message: "must be true or false" });
    return typeof value === "boolean" ? value : fallback;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(key, fallback);
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.issues.push({ path: this.pathOf(key), message: `must be one of ${allowed.join(", ")} (got ${JSON.stringify(value)})` });
    return fallback;
  }

  files(section: string, baseDir: string): string[] {
    const value = this.raw[section];
    if (value === undefined) return [];
    if (!isPlainObject(value)) {
      this.issues.push({ path: section, message: "must be a mapping with a `files` list" });
      return [];
    }
    rejectUnknownKeys(value, ["files"], section, this.issues);
    const files = value["files"] ?? [];
    if (!Array.isArray(files) || !files.every((f) => typeof f === "string" && f.length > 0)) {
      this.issues.push({ path: `${section}.files`, message: "must be a list of file paths" });
      return [];
    }
    return files.map((f: string) => (isAbsolute(f) ? f : resolve(baseDir, f)));
  }

  anomaly(): AnomalyConfig | undefined {
    const parsed = parseAnomalySection(this.raw["anomaly"], this.env);
    this.issues.push(...parsed.issues);
    return parsed.config;
  }

  redisLimiter(): RedisLimiterConfig | undefined {
    const parsed = parseLimiterSection(this.raw["limiter"], this.env);
    this.issues.push(...parsed.issues);
    return parsed.redis;
  }

  kubernetes(baseDir: string): KubernetesConfig {
    const parsed = parseKubernetesSection(this.raw["kubernetes"], baseDir);
    this.issues.push(...parsed.issues);
    return parsed.config;
  }

  audit(baseDir: string): AuditConfig {
    const parsed = parseAuditSection(this.raw["audit"], this.env, baseDir);
    this.issues.push(...parsed.issues);
    return parsed.config;
  }

  identity(baseDir: string): IdentityConfig {
    const parsed = parseIdentityConfig(this.raw["identity"], baseDir);
    this.issues.push(...parsed.issues);
    return parsed.config;
  }

  address(key: string, fallback: string): string {
    const value = this.string(key, fallback);
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(value) || Number(value.slice(value.lastIndexOf(":") + 1)) > 65535) {
      this.issues.push({ path: this.pathOf(key), message: `must be host:port (got ${JSON.stringify(value)})` });
    }
    return value;
  }
}

function routingHeaderOf(value: RoutingHeader | "none"): RoutingHeader | undefined {
  return value === "none" ? undefined : value;
}

// `doc` is the parsed YAML (undefined when no file); `baseDir` anchors relative file paths.
export function parseConfig(doc: unknown, env: Readonly<Record<string, string | undefined>>, baseDir: string): Result<Config, Issue[]> {
  if (doc !== undefined && doc !== null && !isPlainObject(doc)) return err([{ path: "", message: "the configuration must be a mapping" }]);
  const raw: Raw = isPlainObject(doc) ? doc : {};
  const r = new Reader(raw, env);
  rejectUnknownKeys(raw, KNOWN_KEYS, "", r.issues);
  const socket = r.string("socket", "");
  const config: Config = {
    listen: r.address("listen", DEFAULTS.listen),
    socket: socket === "" ? undefined : resolve(baseDir, socket),
    metricsListen: r.address("metricsListen", DEFAULTS.metricsListen),
    model: r.model("model", DEFAULTS.model),
    protocol: r.oneOf<ProtocolName>("protocol", PROTOCOLS, DEFAULTS.protocol),
    routingHeader: routingHeaderOf(r.oneOf<RoutingHeader | "none">("routingHeader", ["none", ...ROUTING_HEADERS], "none")),
    environment: r.string("environment", DEFAULTS.environment),
    namespace: r.namespace("namespace", DEFAULTS.namespace),
    policyFiles: r.files("policies", baseDir),
    keyFiles: r.files("apiKeys", baseDir),
    identity: r.identity(baseDir),
    audit: r.audit(baseDir),
    redisLimiter: r.redisLimiter(),
    anomaly: r.anomaly(),
    policySource: r.oneOf<PolicySource>("policySource", ["files", "kubernetes"], "files"),
    kubernetes: r.kubernetes(baseDir),
    maxInFlight: r.integer("maxInFlight", DEFAULTS.maxInFlight, 1, 1_000_000),
    maxReceiveBytes: r.integer("maxReceiveBytes", DEFAULTS.maxReceiveBytes, 64 * 1024, 256 * 1024 * 1024),
    shutdownGraceMs: r.integer("shutdownGraceSeconds", DEFAULTS.shutdownGraceSeconds, 0, 600) * 1000,
    logLevel: r.oneOf<LogLevel>("logLevel", LOG_LEVELS, DEFAULTS.logLevel),
    watchFiles: r.boolean("watchFiles", DEFAULTS.watchFiles),
  };
  if (config.policySource === "kubernetes" && config.policyFiles.length > 0) {
    r.issues.push({ path: "policies.files", message: "cannot be combined with policySource: kubernetes (policies come from AccessPolicy resources)" });
  }
  return r.issues.length > 0 ? err(r.issues) : ok(deepFreeze(config));
}
