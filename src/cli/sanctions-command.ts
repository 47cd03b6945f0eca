import { once } from "node:events";
import { parseArgs } from "node:util";
import { liftSanction, readSanction } from "../adapters/limiter/sanction-admin.ts";
import { connectRedis, type RedisConnection } from "../adapters/limiter/redis-connection.ts";
import { GRID } from "../core/limit/gcra.ts";
import { sanctionKey } from "../core/limit/limit-keys.ts";
import type { Sanction } from "../core/limit/sanction.ts";
import type { Identity } from "../core/identity/identity.ts";
import { loadConfig } from "../config/load-config.ts";

// `modelgate sanctions show|lift`: what an anomaly response put on one identity (README
// "Anomaly detection"), read from or removed in the limiter's Redis. For a false positive:
// take method, issuer and subject from the `anomaly` audit record and lift the sanction.

export interface SanctionsIo {
  stdout(s: string): void;
  stderr(s: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly now: () => number;
}

export const SANCTIONS_USAGE = `Usage: modelgate sanctions show|lift --method M --subject S [--issuer I] [--config FILE]

Shows or removes the block and lowered limits that anomaly responses put on one identity, in
the rate limiter's Redis (limiter.redis in the configuration, or MODELGATE_REDIS_URL). The
identity is as the anomaly audit record names it: method (apikey, jwt, mtls), issuer and subject.

  --method M      apikey | jwt | mtls
  --subject S     the identity's subject
  --issuer I      the identity's issuer ("" when it has none)
  --config FILE   the modelgate configuration (default: MODELGATE_CONFIG, else the defaults)
  -h, --help      show this help

Exit status: 0 done (also when there was no sanction), 2 usage, configuration or Redis error.
`;

const OPTIONS = {
  method: { type: "string" },
  subject: { type: "string" },
  issuer: { type: "string" },
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const METHODS = ["apikey", "jwt", "mtls"] as const;
const READY_MS = 3000;

export async function runSanctions(args: readonly string[], io: SanctionsIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error: unknown) {
    return usage(io, error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(SANCTIONS_USAGE);
    return 0;
  }
  const [action, ...extra] = positionals;
  if ((action !== "show" && action !== "lift") || extra.length > 0) return usage(io, "say show or lift");
  const method = METHODS.find((m) => m === values.method);
  if (method === undefined) return usage(io, `--method must be one of ${METHODS.join(", ")}`);
  if (values.subject === undefined || values.subject === "") return usage(io, "--subject is required");
  const config = loadConfig(values.config ?? io.env["MODELGATE_CONFIG"], io.env, io.cwd);
  if (!config.ok) return usage(io, `invalid configuration: ${config.error.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  const redis = config.value.redisLimiter;
  if (redis === undefined)
    return usage(io, "no Redis limiter is configured (limiter.redis or MODELGATE_REDIS_URL): sanctions live in the serving replicas only");
  const identity: Identity = { method, subject: values.subject, issuer: values.issuer ?? "", keyId: "", groups: [], attributes: {} };
  const key = sanctionKey(identity);
  const connection = connectRedis(redis.target, { commandTimeoutMs: 2000, connectTimeoutMs: 2000, onError: () => undefined });
  try {
    if (!(await ready(connection))) return usage(io, "Redis did not answer");
    if (action === "show") io.stdout(describe(key, await readSanction(connection, key), io.now()));
    else io.stdout((await liftSanction(connection, key)) ? `lifted: ${key}\n` : `no sanction: ${key}\n`);
    return 0;
  } catch (error: unknown) {
    return usage(io, `Redis: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await connection.close();
  }
}

function describe(key: string, sanction: Sanction | undefined, now: number): string {
  if (sanction === undefined) return `no sanction: ${key}\n`;
  const at = (steps: number) => new Date(steps / GRID).toISOString();
  const nowSteps = now * GRID;
  const lines = [`sanction: ${key}`];
  lines.push(sanction.blockedUntil > nowSteps ? `  blocked until ${at(sanction.blockedUntil)}` : "  not blocked");
  lines.push(
    sanction.factorUntil > nowSteps
      ? `  limits × ${sanction.factorPermille / 1000} until ${at(sanction.factorUntil)}`
      : "  limits as written",
  );
  return `${lines.join("\n")}\n`;
}

async function ready(connection: RedisConnection): Promise<boolean> {
  if (connection.client.status === "ready") return true;
  const timeout = AbortSignal.timeout(READY_MS);
  try {
    await once(connection.client, "ready", { signal: timeout });
    return true;
  } catch {
    return false; // timed out
  }
}

function usage(io: SanctionsIo, message: string): number {
  io.stderr(`modelgate sanctions: ${message}\nTry: modelgate sanctions --help\n`);
  return 2;
}
