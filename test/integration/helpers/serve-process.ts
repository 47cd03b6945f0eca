import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { stringify } from "yaml";
import { writeKeys, type KeySpec } from "./fixture-server.ts";

// Real `modelgate serve` processes, started the way a deployment starts them: a YAML file,
// `node src/cli/modelgate.ts serve --config`, ports learnt from the "serving" log line.

const ROOT = resolve(import.meta.dirname, "../../..");

export interface ServeDir {
  readonly dir: string;
  readonly configPath: string;
  readonly keys: Readonly<Record<string, string>>;
  remove(): void;
}

export function writeServeDir(
  policyYaml: string,
  keySpecs: Readonly<Record<string, KeySpec>>,
  config: Readonly<Record<string, unknown>>,
): ServeDir {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-serve-"));
  const keys = writeKeys(dir, keySpecs);
  writeFileSync(join(dir, "policies.yaml"), policyYaml);
  const doc = {
    listen: "127.0.0.1:0",
    metricsListen: "127.0.0.1:0",
    model: "fraud-detector",
    protocol: "open-inference-v2",
    namespace: "default",
    policies: { files: ["policies.yaml"] },
    apiKeys: { files: ["keys.yaml"] },
    logLevel: "info",
    ...config,
  };
  const configPath = join(dir, "modelgate.yaml");
  writeFileSync(configPath, stringify(doc));
  return { dir, configPath, keys, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ServeProcess {
  readonly grpcPort: number;
  readonly opsPort: number;
  readonly logs: readonly Record<string, unknown>[];
  readyz(): Promise<{ status: number; detail: string }>; // GET /readyz
  stop(): Promise<void>;
}

// Resolves once the process listens; readiness is a separate question (`readyz`).
export function spawnServe(configPath: string, env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, ["src/cli/modelgate.ts", "serve", "--config", configPath], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const logs: Record<string, unknown>[] = [];
  return new Promise((resolvePorts, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry["msg"] !== "serving") return;
      const opsPort = entry["ops_port"] as number;
      resolvePorts({
        grpcPort: entry["grpc_port"] as number,
        opsPort,
        logs,
        readyz: async () => {
          const response = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
          return { status: response.status, detail: (await response.text()).trim() };
        },
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
    child.once("exit", (code) => reject(new Error(`modelgate serve exited early with ${code}`)));
  });
}

// Polls /readyz until it answers 200; rejects after `withinMs` with the last answer.
export async function untilReady(server: ServeProcess, withinMs = 60_000): Promise<void> {
  const until = Date.now() + withinMs;
  let last = "";
  while (Date.now() < until) {
    const answer = await server.readyz().catch((e: unknown) => ({ status: 0, detail: String(e) }));
    if (answer.status === 200) return;
    last = `${answer.status} ${answer.detail}`;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`not ready within ${withinMs} ms; /readyz said ${last}`);
}
