import { randomBytes } from "node:crypto";

const USAGE = `modelgate — Envoy external authorization for ML model servers

Usage:
  modelgate serve [--config FILE]         serve envoy.service.auth.v3.Authorization/Check
  modelgate check [--config FILE] ...     decide one request and explain why (see: modelgate check --help)
  modelgate keys create --subject S ...   mint an API key and print the record to store
  modelgate keys migrate --namespace N    copy API key Secrets of N into ApiKey objects
  modelgate audit verify [--public-key K] PATH...   check an audit log's hash chain and signed checkpoints
  modelgate audit analyze [--config F] PATH...       find anomalies (volume, probing, reconnaissance, sharing) offline
  modelgate sanctions show|lift --method M --subject S   an identity's anomaly block or lowered limits
  modelgate webhook [--config FILE]       the sidecar injector (AdmissionReview over HTTPS)
  modelgate inject -f FILE [-o FILE] [--check]   add the sidecars to manifests offline, as the webhook would
  modelgate help

Configuration: --config FILE or MODELGATE_CONFIG; environment overrides MODELGATE_LISTEN,
MODELGATE_SOCKET, MODELGATE_METRICS_LISTEN, MODELGATE_MODEL, MODELGATE_PROTOCOL,
MODELGATE_ENVIRONMENT, MODELGATE_NAMESPACE, MODELGATE_LOG_LEVEL, MODELGATE_AUDIT_FILE,
MODELGATE_REDIS_URL, MODELGATE_REDIS_PASSWORD.
`;

const stdio = {
  stdout: (s: string) => void process.stdout.write(s),
  stderr: (s: string) => void process.stderr.write(s),
};

// Each subcommand is imported when it is chosen: the server's adapters (Kubernetes client,
// ioredis, grpc-js, the Envoy protos) cost seconds to load, which `inject` or `keys create` need
// not pay, and a sidecar's start-up should not pay for the CLI's tools either.
export async function runCli(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return (await import("./serve-command.ts")).runServe(rest, { ...stdio, env: process.env, cwd: process.cwd() });
    case "check":
      return (await import("./check-command.ts")).runCheck(rest, { ...stdio, env: process.env, cwd: process.cwd() });
    case "keys":
      if (rest[0] === "create") {
        return (await import("./keys-create-command.ts")).runKeysCreate(rest.slice(1), {
          ...stdio,
          now: Date.now,
          randomBytes: (n) => new Uint8Array(randomBytes(n)),
        });
      }
      if (rest[0] === "migrate") return (await import("./keys-migrate-command.ts")).runKeysMigrate(rest.slice(1), stdio);
      stdio.stderr(`unknown keys subcommand "${rest[0] ?? ""}"; try: modelgate keys create --help\n`);
      return 2;
    case "audit":
      if (rest[0] === "verify")
        return (await import("./audit-verify-command.ts")).runAuditVerify(rest.slice(1), {
          ...stdio,
          cwd: process.cwd(),
          stdin: process.stdin,
        });
      if (rest[0] === "analyze")
        return (await import("./audit-analyze-command.ts")).runAuditAnalyze(rest.slice(1), {
          ...stdio,
          cwd: process.cwd(),
          stdin: process.stdin,
          now: Date.now,
        });
      stdio.stderr(`unknown audit subcommand "${rest[0] ?? ""}"; try: modelgate audit verify --help\n`);
      return 2;
    case "webhook":
      return (await import("./webhook-command.ts")).runWebhook(rest, { ...stdio, env: process.env, cwd: process.cwd() });
    case "inject":
      return (await import("./inject-command.ts")).runInject(rest, { ...stdio, env: process.env, cwd: process.cwd() });
    case "sanctions":
      return (await import("./sanctions-command.ts")).runSanctions(rest, { ...stdio, env: process.env, cwd: process.cwd(), now: Date.now });
    case undefined:
    case "help":
    case "--help":
    case "-h":
      stdio.stdout(USAGE);
      return command === undefined ? 2 : 0;
    default:
      stdio.stderr(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
