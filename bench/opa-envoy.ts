import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, openSync, writeFileSync, closeSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { freePort } from "../test/harness/managed-process.ts";
import { processCpuMicros, processRssBytes, stopChild } from "./spawn-server.ts";

// OPA-Envoy (Go) with bench/opa/policy.rego and the bench key's digest as data, its gRPC
// ext_authz server on a free port. With `decisionLog`, every decision is logged to the console
// (OPA's decision_logs.console), which goes to a file, as modelgate's audit chain does.

export const OPA_ENVOY_VERSION = "v0.46.1";

export function opaEnvoyPath(): string | undefined {
  const tools = process.env["MODELGATE_TOOLS"] ?? join(homedir(), ".cache/modelgate-tools");
  const path = join(tools, `opa-envoy-${OPA_ENVOY_VERSION}`, "opa-envoy-plugin");
  return existsSync(path) ? path : undefined;
}

export interface OpaEnvoy {
  readonly port: number;
  readonly child: ChildProcess;
  cpuMicros(): number | undefined;
  rssBytes(): number | undefined;
  // go_memstats_alloc_bytes_total from OPA's own /metrics: every byte the Go heap allocated.
  allocatedBytes(): Promise<number | undefined>;
  stop(): Promise<void>;
}

export async function startOpaEnvoy(
  binary: string,
  dir: string,
  digest: string,
  decisionLog: boolean,
  prefix: readonly string[],
): Promise<OpaEnvoy> {
  const data = join(dir, "opa-data.json");
  writeFileSync(
    data,
    JSON.stringify({ keys: { [digest]: { subject: "bench@example.com", attributes: { team: "data_science", org: "acme" } } } }),
  );
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const out = openSync(join(dir, `opa-${decisionLog ? "log" : "nolog"}.out`), "w");
  const args = [
    "run",
    "--server",
    `--addr=127.0.0.1:${httpPort}`,
    "--log-format=json",
    "--log-level=info",
    `--set=plugins.envoy_ext_authz_grpc.addr=127.0.0.1:${grpcPort}`,
    "--set=plugins.envoy_ext_authz_grpc.path=modelgate/bench/allow",
    `--set=decision_logs.console=${decisionLog}`,
    join(import.meta.dirname, "opa/policy.rego"),
    data,
  ];
  const [command, ...rest] = [...prefix, binary, ...args];
  const child = spawn(command as string, rest, { stdio: ["ignore", out, out] });
  closeSync(out);
  return {
    port: grpcPort,
    child,
    cpuMicros: () => processCpuMicros(child.pid),
    rssBytes: () => processRssBytes(child.pid),
    allocatedBytes: async () => {
      try {
        const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
        const line = text.split("\n").find((l) => l.startsWith("go_memstats_alloc_bytes_total "));
        return line === undefined ? undefined : Number(line.split(" ")[1]);
      } catch {
        return undefined;
      }
    },
    stop: () => stopChild(child),
  };
}
