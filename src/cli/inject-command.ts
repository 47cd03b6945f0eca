import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadWebhookConfig } from "../config/load-webhook-config.ts";
import { renderInjectedBootstrap } from "../envoy-config/injected-bootstrap.ts";
import { injectYamlStream } from "./inject-manifests.ts";

// `modelgate inject -f FILE [-o FILE] [--check] [--config WEBHOOK.yaml] [--namespace NS]`:
// the webhook's transformation offline, for GitOps and review. --check writes nothing and
// exits 1 when a manifest asking for injection would be refused, with the reason.

export interface InjectIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

const USAGE = `usage: modelgate inject -f FILE|- [-o FILE] [--check] [--config WEBHOOK.yaml] [--namespace NS]
  Adds the modelgate and Envoy sidecars to every Pod, Deployment, StatefulSet, DaemonSet,
  ReplicaSet, Job or CronJob whose pod template has modelgate.io/inject: "true", exactly as
  the webhook would (same configuration file). Other documents are copied unchanged.
`;

export async function runInject(argv: readonly string[], io: InjectIo): Promise<number> {
  let values: {
    file?: string | undefined;
    output?: string | undefined;
    check?: boolean | undefined;
    config?: string | undefined;
    namespace?: string | undefined;
    help?: boolean | undefined;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        file: { type: "string", short: "f" },
        output: { type: "string", short: "o" },
        check: { type: "boolean" },
        config: { type: "string" },
        namespace: { type: "string", short: "n" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) return (io.stdout(USAGE), 0);
  if (values.file === undefined) return (io.stderr(`-f FILE is required\n${USAGE}`), 2);
  const config = loadWebhookConfig(values.config, io.env, io.cwd);
  if (!config.ok)
    return (io.stderr(`invalid webhook configuration:\n${config.error.map((i) => `  ${i.path}: ${i.message}`).join("\n")}\n`), 1);
  let text: string;
  try {
    text = readFileSync(values.file === "-" ? 0 : resolve(io.cwd, values.file), "utf8");
  } catch (error) {
    return (io.stderr(`cannot read ${values.file}: ${(error as Error).message}\n`), 1);
  }
  const result = injectYamlStream(text, values.namespace ?? "default", config.value.injector, renderInjectedBootstrap);
  if (result.parseErrors.length > 0)
    return (io.stderr(`${values.file} is not valid YAML:\n${result.parseErrors.map((e) => `  ${e}`).join("\n")}\n`), 1);
  const rejected = result.reports.filter((r) => r.result === "rejected");
  for (const r of rejected) io.stderr(`${values.file}: document ${r.index} (${r.kind} ${r.name}): ${r.message ?? ""}\n`);
  if (values.check === true) {
    if (rejected.length === 0)
      io.stderr(
        `${values.file}: ${result.reports.filter((r) => r.result === "injected").length} workload(s) would be injected, none refused\n`,
      );
    return rejected.length === 0 ? 0 : 1;
  }
  if (rejected.length > 0) return 1;
  if (values.output === undefined) io.stdout(result.yaml);
  else writeFileSync(resolve(io.cwd, values.output), result.yaml);
  return 0;
}
