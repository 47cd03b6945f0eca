import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { err, type Issue, type Result } from "../core/result.ts";
import type { Config } from "./config.ts";
import { parseConfig } from "./parse-config.ts";

// Reads `--config FILE` (or MODELGATE_CONFIG); with neither, the built-in defaults apply.
export function loadConfig(
  path: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Result<Config, Issue[]> {
  const file = path ?? env["MODELGATE_CONFIG"];
  if (file === undefined || file === "") return parseConfig(undefined, env, cwd);
  const absolute = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    return err([{ path: absolute, message: `cannot read the configuration file: ${(error as Error).message}` }]);
  }
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    return err([{ path: absolute, message: `invalid YAML: ${(error as Error).message}` }]);
  }
  const parsed = parseConfig(doc, env, dirname(absolute));
  // Problems with an environment override (`$MODELGATE_…`) are not in the file.
  return parsed.ok
    ? parsed
    : err(parsed.error.map((i) => (i.path.startsWith("$") ? i : { path: `${absolute}: ${i.path}`, message: i.message })));
}
