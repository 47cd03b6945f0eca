import { parseArgs } from "node:util";
import { loadConfig } from "../config/load-config.ts";
import { createServerLogger, formatIssues, startServer, StartupError, type RunningServer } from "../wiring/start-server.ts";

// `modelgate serve`: flags, configuration and signals; the server is put together in src/wiring/.

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export async function runServe(args: readonly string[], io: CliIo): Promise<number> {
  let flags;
  try {
    flags = parseArgs({ args: [...args], options: { config: { type: "string", short: "c" } }, strict: true }).values;
  } catch (error) {
    io.stderr(`modelgate serve: ${(error as Error).message}\n`);
    return 2;
  }
  const config = loadConfig(flags.config, io.env, io.cwd);
  if (!config.ok) {
    io.stderr(`modelgate serve: invalid configuration\n${formatIssues(config.error)}\n`);
    return 2;
  }
  const logger = createServerLogger(config.value.logLevel, io.stdout);
  let server: RunningServer;
  try {
    server = await startServer(config.value, logger);
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    logger.error(error.message);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info("shutting down", { signal, grace_ms: config.value.shutdownGraceMs });
      void server.stop().then(resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  return 0;
}
