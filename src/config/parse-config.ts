import { isAbsolute, resolve } from "node:path";
import { PROTOCOLS, type ProtocolName } from "../core/model-action.ts";
import { DNS_LABEL, DNS_LABEL_TEXT } from "../core/parse/kube-names.ts";
import { modelNameProblem } from "../core/request/profiles/model-name.ts";
import { ROUTING_HEADERS, type RoutingHeader } from "../core/request/routing-headers.ts";
import { err, ok, type Issue, type Result } from "../core/result.ts";
import { isPlainObject, rejectUnknownKeys } from "../core/parse/fields.ts";
import { LISTEN_ADDRESS, splitHostPort } from "../core/listen-address.ts";
import { deepFreeze } from "../core/parse/deep-freeze.ts";
import { ConfigReader } from "../core/parse/config-reader.ts";
import type { Config, PolicySource } from "./config.ts";
import { topLevelOverrides } from "./env-vars.ts";
import { LOG_LEVELS, type LogLevel } from "../core/log-level.ts";
import { parseIdentityConfig } from "./parse-identity.ts";
import { parseAuditSection } from "./parse-audit.ts";
import { parseAnomalySection } from "./parse-anomaly.ts";
import { parseLimiterSection } from "./parse-redis-limiter.ts";
import { parseKubernetesSection } from "./parse-kubernetes.ts";

// Parse, don't cast: the YAML document and the environment go in as `unknown` / strings,
// a frozen Config or every problem (with its path) comes out.

type Raw = Readonly<Record<string, unknown>>;

const DEFAULTS = {
  listen: "127.0.0.1:9001",
  reusePort: false,
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
  "reusePort",
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

// The top-level reader: the kit's section reader, plus the environment overrides.
class Reader extends ConfigReader {
  readonly raw: Raw;
  readonly env: Readonly<Record<string, string | undefined>>;
  // Environment wins over the file for these keys (the table is config/env-vars.ts).
  readonly overrides = topLevelOverrides();

  constructor(raw: Raw, env: Readonly<Record<string, string | undefined>>) {
    super("");
    this.raw = raw;
    this.env = env;
  }

  // Where a value came from: an environment override is reported as `$MODELGATE_…`, so the
  // problem is not looked for in the file.
  pathOf(key: string): string {
    const name = this.overrides[key];
    return name !== undefined && this.env[name] !== undefined ? `$${name}` : key;
  }

  // A string setting, from its environment variable when that is set.
  text(key: string, fallback: string): string {
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
    const value = this.text(key, fallback);
    if (!DNS_LABEL.test(value)) this.issues.push({ path: this.pathOf(key), message: `${DNS_LABEL_TEXT} (got ${JSON.stringify(value)})` });
    return value;
  }

  // "" (no model of its own) or a name every profile would accept.
  model(key: string, fallback: string): string {
    const value = this.text(key, fallback);
    const problem = value === "" ? undefined : modelNameProblem(value);
    if (problem !== undefined)
      this.issues.push({ path: this.pathOf(key), message: `${problem} (got ${JSON.stringify(value.slice(0, 80))})` });
    return value;
  }

  choice<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.text(key, fallback);
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

  // A section parsed by its own file in config/: its problems join these.
  collect<P extends { readonly issues: readonly Issue[] }>(parsed: P): P {
    this.issues.push(...parsed.issues);
    return parsed;
  }

  address(key: string, fallback: string): string {
    const value = this.text(key, fallback);
    if (!LISTEN_ADDRESS.test(value)) {
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
  const socket = r.text("socket", "");
  const config: Config = {
    listen: r.address("listen", DEFAULTS.listen),
    reusePort: r.boolean(raw, "reusePort", DEFAULTS.reusePort),
    socket: socket === "" ? undefined : resolve(baseDir, socket),
    metricsListen: r.address("metricsListen", DEFAULTS.metricsListen),
    model: r.model("model", DEFAULTS.model),
    protocol: r.choice<ProtocolName>("protocol", PROTOCOLS, DEFAULTS.protocol),
    routingHeader: routingHeaderOf(r.choice<RoutingHeader | "none">("routingHeader", ["none", ...ROUTING_HEADERS], "none")),
    environment: r.text("environment", DEFAULTS.environment),
    namespace: r.namespace("namespace", DEFAULTS.namespace),
    policyFiles: r.files("policies", baseDir),
    keyFiles: r.files("apiKeys", baseDir),
    identity: r.collect(parseIdentityConfig(raw["identity"], baseDir)).config,
    audit: r.collect(parseAuditSection(raw["audit"], env, baseDir)).config,
    redisLimiter: r.collect(parseLimiterSection(raw["limiter"], env)).redis,
    anomaly: r.collect(parseAnomalySection(raw["anomaly"], env)).config,
    policySource: r.choice<PolicySource>("policySource", ["files", "kubernetes"], "files"),
    kubernetes: r.collect(parseKubernetesSection(raw["kubernetes"], baseDir)).config,
    maxInFlight: r.integer(raw, "maxInFlight", DEFAULTS.maxInFlight, 1, 1_000_000),
    maxReceiveBytes: r.integer(raw, "maxReceiveBytes", DEFAULTS.maxReceiveBytes, 64 * 1024, 256 * 1024 * 1024),
    shutdownGraceMs: r.integer(raw, "shutdownGraceSeconds", DEFAULTS.shutdownGraceSeconds, 0, 600) * 1000,
    logLevel: r.choice<LogLevel>("logLevel", LOG_LEVELS, DEFAULTS.logLevel),
    watchFiles: r.boolean(raw, "watchFiles", DEFAULTS.watchFiles),
  };
  if (config.reusePort && splitHostPort(config.listen).port === 0) {
    // Port 0 gives each process a different free port: nothing would be shared.
    r.issues.push({ path: "reusePort", message: `needs a fixed port in ${r.pathOf("listen")} (got ${JSON.stringify(config.listen)})` });
  }
  if (config.policySource === "kubernetes" && config.policyFiles.length > 0) {
    r.issues.push({
      path: "policies.files",
      message: "cannot be combined with policySource: kubernetes (policies come from AccessPolicy resources)",
    });
  }
  return r.issues.length > 0 ? err(r.issues) : ok(deepFreeze(config));
}
