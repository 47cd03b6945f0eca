import { parseArgs } from "node:util";
import { loadWebhookConfig } from "../config/load-webhook-config.ts";
import { startWebhook } from "../wiring/start-webhook.ts";

// `modelgate webhook`: flags, configuration and signals; the injector is put together in
// src/wiring/start-webhook.ts.

export interface WebhookIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

const USAGE = "usage: modelgate webhook [--config FILE]   (or MODELGATE_WEBHOOK_CONFIG)\n";

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
  const started = await startWebhook(config.value, io.stdout);
  if (!started.ok) {
    io.stderr(`${started.error}\n`);
    return 1;
  }
  const { logger, stop: stopWebhook } = started.value;
  await new Promise<void>((done) => {
    const stop = (signal: string): void => {
      logger.info("stopping", { signal });
      void stopWebhook().then(() => done());
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  return 0;
}
