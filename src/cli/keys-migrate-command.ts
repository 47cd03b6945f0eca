import { parseArgs } from "node:util";
import { adminHttp } from "../adapters/k8s/apply-api-key.ts";
import type { MigrationStep } from "../adapters/k8s/migrate-key-secrets.ts";
import { migrateKeySecrets } from "../adapters/k8s/migrate-key-secrets.ts";

export interface KeysMigrateIo {
  stdout(s: string): void;
  stderr(s: string): void;
}

export const KEYS_MIGRATE_USAGE = `Usage: modelgate keys migrate --namespace N [--kubeconfig F] [--dry-run]

Copies every Secret labelled modelgate.io/api-key in namespace N into an ApiKey named
mgk-<id> (install deploy/crds/apikeys.modelgate.io.yaml first). Only creates: an existing
ApiKey is compared and reported, never overwritten, so running it again is safe. The Secrets
are left in place; delete them once every sidecar reads ApiKeys:
  kubectl delete secret -n N -l modelgate.io/api-key

  --namespace N      the namespace whose key Secrets move (required)
  --kubeconfig F     use this kubeconfig file (default: current context)
  --dry-run          let the API server check each ApiKey without storing anything
  -h, --help         show this help

Exit status: 0 when every Secret was copied or already matched, 1 when any was invalid,
in conflict or failed, 2 for usage errors.
`;

const OPTIONS = {
  namespace: { type: "string" },
  kubeconfig: { type: "string" },
  "dry-run": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const NAMESPACE = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const TIMEOUT_MS = 30_000;

export async function runKeysMigrate(args: readonly string[], io: KeysMigrateIo): Promise<number> {
  let flags: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true }>>["values"];
  try {
    flags = parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error: unknown) {
    // parseArgs reports unknown flags and missing values by throwing; this is the CLI boundary.
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  if (flags.help === true) {
    io.stdout(KEYS_MIGRATE_USAGE);
    return 0;
  }
  const namespace = flags.namespace;
  if (namespace === undefined) return usageError(io, "--namespace is required");
  if (!NAMESPACE.test(namespace)) return usageError(io, `--namespace "${namespace}" is not a namespace name`);
  const http = adminHttp(flags.kubeconfig);
  if (!http.ok) return fail(io, http.error);
  const dryRun = flags["dry-run"] === true;
  const steps = await migrateKeySecrets(http.value, namespace, { dryRun, timeoutMs: TIMEOUT_MS });
  if (!steps.ok) return fail(io, steps.error);
  for (const step of steps.value) io.stdout(`${describe(step)}\n`);
  const count = (outcome: MigrationStep["outcome"]) => steps.value.filter((s) => s.outcome === outcome).length;
  const bad = count("invalid") + count("conflict") + count("failed");
  io.stdout(
    `# ${steps.value.length} key Secrets in ${namespace}: ${count("created")} ${dryRun ? "would be created" : "created"}, ${count("unchanged")} unchanged, ${count("conflict")} in conflict, ${count("invalid")} invalid, ${count("failed")} failed\n`,
  );
  return bad > 0 ? 1 : 0;
}

function describe(step: MigrationStep): string {
  const target = step.apiKey === undefined ? "" : ` -> apikey/${step.apiKey}`;
  return `${step.outcome.padEnd(9)} secret/${step.secret}${target}${step.detail === "" ? "" : `: ${step.detail}`}`;
}

function fail(io: KeysMigrateIo, message: string): number {
  io.stderr(`modelgate keys migrate: ${message}\n`);
  return 1;
}

function usageError(io: KeysMigrateIo, message: string): number {
  io.stderr(`modelgate keys migrate: ${message}\nTry: modelgate keys migrate --help\n`);
  return 2;
}
