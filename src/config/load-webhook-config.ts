import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { err, type Issue, type Result } from "../core/result.ts";
import { parseWebhookConfig, type WebhookConfig } from "./parse-webhook-config.ts";

// `--config FILE` or MODELGATE_WEBHOOK_CONFIG; with neither, the defaults (and POD_NAMESPACE).
export function loadWebhookConfig(
  path: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Result<WebhookConfig, Issue[]> {
  const file = path ?? env["MODELGATE_WEBHOOK_CONFIG"];
  if (file === undefined || file === "") return parseWebhookConfig(undefined, env);
  const absolute = resolve(cwd, file);
  let doc: unknown;
  try {
    doc = parse(readFileSync(absolute, "utf8"), { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    return err([{ path: absolute, message: `cannot read the webhook configuration: ${(error as Error).message}` }]);
  }
  const parsed = parseWebhookConfig(doc, env);
  return parsed.ok ? parsed : err(parsed.error.map((i) => ({ path: `${absolute}: ${i.path}`, message: i.message })));
}
