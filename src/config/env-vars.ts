// Every MODELGATE_* environment variable, in one table: the configuration key it sets, the type
// of its value and what it means. The README's table is rendered from this one (checked by
// test/config/env-vars.test.ts, which also finds any name read in src/ but missing here).

export interface EnvVar {
  readonly name: string;
  readonly key: string; // the configuration key it sets ("" when it names a file instead)
  readonly type: string;
  readonly meaning: string;
  readonly overridesTopLevelKey: boolean; // wins over `key` at the top of the configuration file
}

function envVar(name: string, key: string, type: string, meaning: string, overridesTopLevelKey = false): EnvVar {
  return Object.freeze({ name, key, type, meaning, overridesTopLevelKey });
}

export const ENV_VARS: readonly EnvVar[] = Object.freeze([
  envVar("MODELGATE_CONFIG", "", "file path", "the configuration file of `serve`, `check`, `sanctions` (like `--config`)"),
  envVar("MODELGATE_LISTEN", "listen", "host:port", "gRPC over TCP", true),
  envVar("MODELGATE_SOCKET", "socket", "file path", "also serve gRPC on this Unix domain socket", true),
  envVar("MODELGATE_METRICS_LISTEN", "metricsListen", "host:port", "`/metrics`, `/healthz`, `/readyz`", true),
  envVar("MODELGATE_MODEL", "model", "model name", "the Deployment's own model", true),
  envVar("MODELGATE_PROTOCOL", "protocol", "protocol name", "the inference protocol of the model server", true),
  envVar("MODELGATE_ENVIRONMENT", "environment", "string", "exposed to CEL as `request.environment`", true),
  envVar("MODELGATE_NAMESPACE", "namespace", "DNS-1123 label", "the namespace whose policies apply", true),
  envVar("MODELGATE_LOG_LEVEL", "logLevel", "debug, info, warn, error", "how much is logged", true),
  envVar("MODELGATE_POLICY_SOURCE", "policySource", "files, kubernetes", "where policies and keys come from", true),
  envVar(
    "MODELGATE_AUDIT_FILE",
    "audit.file.path",
    "file path",
    "selects the file audit sink with this path (relative to the working directory)",
  ),
  envVar(
    "MODELGATE_REDIS_URL",
    "limiter.redis.url",
    "Redis URL",
    "the Redis limiter; also the default `audit.redis.url` and `anomaly.redis.url`",
  ),
  envVar(
    "MODELGATE_REDIS_PASSWORD",
    "",
    "secret",
    "replaces the password of every Redis connection: limiter, audit sink, anomaly detector",
  ),
  envVar("MODELGATE_WEBHOOK_CONFIG", "", "file path", "the configuration file of `modelgate webhook` (like `--config`)"),
]);

// Top-level configuration key → the variable that overrides it.
export function topLevelOverrides(): Readonly<Record<string, string>> {
  return Object.freeze(Object.fromEntries(ENV_VARS.filter((v) => v.overridesTopLevelKey).map((v) => [v.key, v.name])));
}

// The README table (Configuration → Environment variables).
export function renderEnvTable(): string {
  const code = (text: string): string => (text === "" ? "" : `\`${text}\``);
  const rows = ENV_VARS.map((v) => `| ${code(v.name)} | ${code(v.key)} | ${v.type} | ${v.meaning} |`);
  return ["| variable | sets | type | meaning |", "|---|---|---|---|", ...rows].join("\n");
}
