import type { WebhookConfig } from "../config/parse-webhook-config.ts";
import { createJsonLogger, type Logger } from "../adapters/log/json-logger.ts";
import { startOpsServer } from "../adapters/ops/ops-server.ts";
import { createWebhookMetrics } from "../adapters/webhook/webhook-metrics.ts";
import { startWebhookServer } from "../adapters/webhook/webhook-server.ts";
import { renderInjectedBootstrap } from "../envoy-config/injected-bootstrap.ts";
import { err, ok, type Result } from "../core/result.ts";

// The composition root of the injector (`modelgate webhook`), in the order it starts: log and
// metrics, /healthz /readyz /metrics on `opsListen`, then the HTTPS AdmissionReview server on
// `listen`. `modelgate webhook` (src/cli/webhook-command.ts) keeps flags and signals.

export interface RunningWebhook {
  readonly logger: Logger;
  stop(): Promise<void>;
}

const TLS_POLL_MS = 1000;

// An error value when the webhook server cannot start (certificate files, address in use).
export async function startWebhook(c: WebhookConfig, write: (line: string) => void): Promise<Result<RunningWebhook, string>> {
  const logger = createJsonLogger("info", write);
  const metrics = createWebhookMetrics();
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
    await ops.close();
    return err((error as Error).message);
  }
  serving = true;
  logger.info("modelgate webhook serving", { listen: c.listen, port: webhook.port, opsPort: ops.port, namespace: c.injector.namespace });
  const running = webhook;
  return ok({
    logger,
    stop: async () => {
      serving = false;
      await Promise.all([running.close(), ops.close()]);
    },
  });
}
