import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { parseConfig } from "../../../src/config/parse-config.ts";
import { mintApiKey } from "../../../src/core/identity/api-key-format.ts";
import { recordForKey, toStoredRecord } from "../../../src/core/identity/api-key-record.ts";
import { createJsonLogger } from "../../../src/adapters/log/json-logger.ts";
import { startServer, type RunningServer } from "../../../src/wiring/start-server.ts";

// A real modelgate server on free loopback ports (TCP and a Unix socket), with freshly
// minted keys and the given policy YAML in a temporary directory removed afterwards.

export interface FixtureServer {
  readonly server: RunningServer;
  readonly dir: string;
  readonly tcpTarget: string;
  readonly udsTarget: string;
  readonly keys: Readonly<Record<string, string>>;
  readonly logs: string[];
  stop(): Promise<void>;
}

export interface KeySpec {
  readonly subject: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface FixtureOptions {
  readonly policyYaml: string;
  readonly keys: Readonly<Record<string, KeySpec>>;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly files?: Readonly<Record<string, string>>; // further files in the directory, by name
}

export function writeKeys(dir: string, specs: Readonly<Record<string, KeySpec>>): Record<string, string> {
  const keys: Record<string, string> = {};
  const records: unknown[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const { key } = mintApiKey((n) => new Uint8Array(randomBytes(n)));
    const record = recordForKey(key, { subject: spec.subject, attributes: spec.attributes }, Date.now());
    if (!record.ok) throw new Error(`bad key fixture ${name}: ${JSON.stringify(record.error)}`);
    records.push(toStoredRecord(record.value));
    keys[name] = key;
  }
  writeFileSync(join(dir, "keys.yaml"), stringify({ keys: records }));
  return keys;
}

export async function startFixtureServer(options: FixtureOptions): Promise<FixtureServer> {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-it-"));
  const keys = writeKeys(dir, options.keys);
  writeFileSync(join(dir, "policies.yaml"), options.policyYaml);
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), text);
  const socket = join(dir, "authz.sock");
  const doc = {
    listen: "127.0.0.1:0",
    metricsListen: "127.0.0.1:0",
    socket,
    model: "fraud-detector",
    protocol: "open-inference-v2",
    namespace: "default",
    policies: { files: ["policies.yaml"] },
    apiKeys: { files: ["keys.yaml"] },
    watchFiles: false,
    logLevel: "info",
    // Keep the audit chain out of the test runner's output.
    audit: { sink: "file", file: { path: join(dir, "audit", "audit.jsonl") } },
    ...options.config,
  };
  const config = parseConfig(doc, {}, dir);
  if (!config.ok) throw new Error(`bad fixture config: ${JSON.stringify(config.error)}`);
  const logs: string[] = [];
  const server = await startServer(
    config.value,
    createJsonLogger("debug", (line) => void logs.push(line)),
  );
  return {
    server,
    dir,
    tcpTarget: `127.0.0.1:${server.grpcPort}`,
    udsTarget: `unix://${socket}`,
    keys,
    logs,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
