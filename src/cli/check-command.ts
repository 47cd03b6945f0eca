import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load-config.ts";
import { decide } from "../core/decide.ts";
import type { Issue } from "../core/result.ts";
import { buildCheckRequest } from "../adapters/grpc/build-check-request.ts";
import { createEngine, type LoadSummary } from "../wiring/decision-engine.ts";
import { checkRequestFromJson } from "./check-request-json.ts";
import { explainDecision } from "./explain-decision.ts";
import type { CliIo } from "./serve-command.ts";

export const CHECK_USAGE = `modelgate check — decide one request exactly as the server would, and explain why

  modelgate check [--config FILE] [--method M] --path /v2/models/m/infer [--api-key KEY]
                  [--host H] [--header "name: value"]... [--body TEXT | --body-file FILE]
                  [--cert CLIENT.pem] [--principal spiffe://…]   (as Envoy reports an mTLS peer)
  modelgate check [--config FILE] --request checkrequest.json
  -X, --method  the HTTP method; GET when not given (a POST inference call needs -X POST)
  -H, --header  repeatable; a repeated name is joined with "," as Envoy does (so is --api-key
                beside an x-api-key header)
  --json        print the decision as JSON

Exit status: 0 allowed, 1 denied, 2 usage or configuration error.
`;

const OPTIONS = {
  config: { type: "string", short: "c" },
  method: { type: "string", short: "X" },
  path: { type: "string" },
  host: { type: "string" },
  header: { type: "string", short: "H", multiple: true },
  "api-key": { type: "string" },
  body: { type: "string" },
  "body-file": { type: "string" },
  request: { type: "string" },
  cert: { type: "string" },
  principal: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];

// Envoy hands ext_authz one value per header name, repeated headers joined with "," (in order);
// `check` must see what the server would, so a repeated --header (or --api-key beside an
// x-api-key header) is joined the same way rather than replaced.
function headersFrom(flags: Flags): Record<string, string> | string {
  const headers: Record<string, string> = {};
  const add = (name: string, value: string) => {
    headers[name] = Object.hasOwn(headers, name) ? `${headers[name]},${value}` : value;
  };
  for (const line of flags.header ?? []) {
    const colon = line.indexOf(":");
    if (colon <= 0) return `--header "${line}" must look like "name: value"`;
    add(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (flags["api-key"] !== undefined) add("x-api-key", flags["api-key"]);
  return headers;
}

function requestFrom(flags: Flags, cwd: string): { ok: true; value: unknown } | { ok: false; error: string } {
  // A plain path (not a URL: `#`, `?` or `%` in a file or directory name must not change it).
  const read = (file: string) => readFileSync(resolve(cwd, file), "utf8");
  try {
    if (flags.request !== undefined) return checkRequestFromJson(read(flags.request));
    if (flags.path === undefined) return { ok: false, error: "give --path (and --method) or --request FILE" };
    const headers = headersFrom(flags);
    if (typeof headers === "string") return { ok: false, error: headers };
    const body = flags["body-file"] !== undefined ? read(flags["body-file"]) : flags.body;
    const spec = {
      method: flags.method ?? "GET",
      path: flags.path,
      headers,
      ...(flags.host === undefined ? {} : { host: flags.host }),
      ...(flags.cert === undefined ? {} : { certificate: read(flags.cert) }),
      ...(flags.principal === undefined ? {} : { principal: flags.principal }),
    };
    return { ok: true, value: buildCheckRequest(body === undefined ? spec : { ...spec, body }) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function issuesText(issues: readonly Issue[]): string {
  return issues.map((i) => `  ${i.path}: ${i.message}\n`).join("");
}

export async function runCheck(args: readonly string[], io: CliIo): Promise<number> {
  let flags: Flags;
  try {
    flags = parseArgs({ args: [...args], options: OPTIONS, strict: true }).values;
  } catch (error) {
    io.stderr(`modelgate check: ${(error as Error).message}\n\n${CHECK_USAGE}`);
    return 2;
  }
  if (flags.help === true) {
    io.stdout(CHECK_USAGE);
    return 0;
  }
  const config = loadConfig(flags.config, io.env, io.cwd);
  if (!config.ok) {
    io.stderr(`modelgate check: invalid configuration\n${issuesText(config.error)}`);
    return 2;
  }
  const problems: Issue[] = [];
  const record = (issues: readonly Issue[]) => void problems.push(...issues);
  const warnings: string[] = [];
  const hooks = {
    loaded: (_kind: string, s: LoadSummary) => void warnings.push(...(s.warnings ?? [])),
    rejected: (_kind: string, issues: readonly Issue[]) => record(issues),
  };
  const engine = createEngine(config.value, hooks, { now: Date.now, newId: randomUUID });
  if (!engine.loadAll()) {
    io.stderr(`modelgate check: policies or keys could not be loaded\n${issuesText(problems)}`);
    return 2;
  }
  const request = requestFrom(flags, io.cwd);
  if (!request.ok) {
    io.stderr(`modelgate check: ${request.error}\n`);
    return 2;
  }
  // On stderr, so the decision on stdout (and --json) stays as it was.
  for (const warning of warnings) io.stderr(`modelgate check: warning: ${warning}\n`);
  await engine.start({ watchFiles: false });
  const decision = await decide(request.value, engine.ports);
  await engine.close();
  io.stdout(flags.json === true ? `${JSON.stringify({ ...decision, request: undefined }, null, 2)}\n` : explainDecision(decision));
  return decision.allowed ? 0 : 1;
}
