import { parseArgs } from "node:util";
import { createJsonLogger } from "../adapters/log/json-logger.ts";
import { startOpsServer } from "../adapters/ops/ops-server.ts";
import { createWebhookMetrics } from "../adapters/webhook/webhook-metrics.ts";
import { startWebhookServer } from "../adapters/webhook/webhook-server.ts";
import { loadWebhookConfig } from "../config/load-webhook-config.ts";
import { renderInjectedBootstrap } from "../envoy-config/injected-bootstrap.ts";

// `modelgate webhook`: the composition root of the injector. HTTPS AdmissionReview server on
// `listen`, /healthz /readyz /metrics on `opsListen`.

export interface WebhookIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

const USAGE = "usage: modelgate webhook [--config FILE]   (or MODELGATE_WEBHOOK_CONFIG)\n";
const TLS_POLL_MS = 1000;

export async function runWebhook(argv: readonly string[], io: WebhookIo): Promise<number> {
  let values: { config?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { config: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    io.stdout(USAGE);
    return 0;
  }
  const config = loadWebhookConfig(values.config, io.env, io.cwd);
  if (!config.ok) {
    io.stderr(`invalid webhook configuration:\n${config.error.map((i) => `  ${i.path}: ${i.message}`).join("\n")}\n`);
    return 1;
  }
  const logger = createJsonLogger("info", io.stdout);
  const metrics = createWebhookMetrics();
  const c = config.value;
  let serving = false;
  const ops = await startOpsServer({
    listen: c.opsListen,
    registry: metrics.registry,
    ready: () => ({ ready: serving, detail: serving ? "serving" : "starting" }),
  });
  let webhook;
  try {
    webhook = await startWebhookServer({
      listen: c.listen,
      certFile: c.tls.certFile,
      keyFile: c.tls.keyFile,
      tlsPollMs: TLS_POLL_MS,
      injector: c.injector,
      render: renderInjectedBootstrap,
      metrics,
      logger,
    });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n`);
    await ops.close();
    return 1;
  }
  serving = true;
  logger.info("modelgate webhook serving", { listen: c.listen, port: webhook.port, opsPort: ops.port, namespace: c.injector.namespace });
  await new Promise<void>((done) => {
    const stop = (signal: string): void => {
      logger.info("stopping", { signal });
      serving = false;
      void Promise.all([webhook.close(), ops.close()]).then(() => done());
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  return 0;
}
