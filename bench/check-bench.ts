import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { mintApiKey } from "../src/core/identity/api-key-format.ts";
import { recordForKey, toStoredRecord } from "../src/core/identity/api-key-record.ts";
import { runGhz, type LoadResult } from "./ghz.ts";
import { spawnServer } from "./spawn-server.ts";

// The whole decision pipeline against a no-op grpc-js Check handler, measured in one run:
// 1. saturation throughput of each (closed loop, ghz on one core);
// 2. latency of modelgate at a fixed open-loop rate of 25 % of its own capacity.
// Usage: node bench/check-bench.ts [seconds per run, default 10]

const seconds = Number(process.argv[2] ?? 10);
const root = join(import.meta.dirname, "..");

function benchFixture(dir: string): { key: string; config: string } {
  const { key } = mintApiKey((n) => new Uint8Array(randomBytes(n)));
  const record = recordForKey(key, { subject: "bench@example.com", attributes: { team: "data_science", org: "acme" } }, Date.now());
  if (!record.ok) throw new Error("cannot build the bench key record");
  writeFileSync(join(dir, "keys.yaml"), stringify({ keys: [toStoredRecord(record.value)] }));
  writeFileSync(
    join(dir, "policies.yaml"),
    stringify({
      apiVersion: "modelgate.io/v1alpha1",
      kind: "AccessPolicy",
      metadata: { name: "bench", namespace: "default" },
      spec: {
        models: ["fraud-detector"],
        rules: [
          { name: "predict", effect: "Allow", subjects: [{ attributes: { team: "data_science" } }], actions: ["predict"], limits: [{ name: "minute", requests: 1_000_000_000, per: "1m" }] },
          { name: "freeze", effect: "Deny", subjects: [{}], actions: ["admin"] },
        ],
      },
    }),
  );
  const config = join(dir, "modelgate.yaml");
  writeFileSync(
    config,
    stringify({
      listen: "127.0.0.1:0", metricsListen: "127.0.0.1:0", model: "fraud-detector", protocol: "open-inference-v2",
      policies: { files: ["policies.yaml"] }, apiKeys: { files: ["keys.yaml"] }, logLevel: "info", watchFiles: false,
      // The audit chain goes to rotating files, as in production (the stdout sink writes synchronously).
      audit: { sink: "file", file: { path: join(dir, "audit", "audit.jsonl") } },
    }),
  );
  return { key, config };
}

function checkRequest(key: string): unknown {
  const path = "/v2/models/fraud-detector/infer";
  const headers: Record<string, string> = {
    ":authority": "models.example.com", ":method": "POST", ":path": path, ":scheme": "https",
    "content-type": "application/json", "user-agent": "bench/1.0", accept: "*/*", "x-forwarded-proto": "https",
    "x-request-id": "5f1d7c1e-8a4b-4c55-9d0e-000000000001", "x-envoy-expected-rq-timeout-ms": "15000",
    "x-api-key": key, "content-length": "512",
  };
  return {
    attributes: {
      source: { address: { socketAddress: { address: "10.0.0.7", portValue: 51234 } } },
      destination: { address: { socketAddress: { address: "10.0.0.9", portValue: 8080 } } },
      request: { http: { id: "1", method: "POST", path, host: "models.example.com", scheme: "https", protocol: "HTTP/1.1", headers } },
    },
  };
}

const SATURATE = ["--cpus", "1", "-c", "64", "--connections", "4", "-z", `${seconds}s`];

async function measure(args: string[], data: unknown, load: string[]): Promise<LoadResult> {
  const server = await spawnServer(args);
  try {
    await runGhz(`127.0.0.1:${server.port}`, data, ["--cpus", "1", "-c", "8", "-n", "2000"]); // warm-up
    return await runGhz(`127.0.0.1:${server.port}`, data, load);
  } finally {
    await server.stop();
  }
}

function row(name: string, r: LoadResult): string {
  const f = (n: number) => n.toFixed(3).padStart(8);
  return `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(7)} ${f(r.p50)} ${f(r.p99)} ${f(r.p999)} ${String(r.errors).padStart(6)}`;
}

const dir = mkdtempSync(join(tmpdir(), "modelgate-bench-"));
try {
  const { key, config } = benchFixture(dir);
  const data = checkRequest(key);
  const noop = await measure([join(root, "bench/noop-server.ts")], data, SATURATE);
  const serve = [join(root, "src/cli/modelgate.ts"), "serve", "--config", config];
  const full = await measure(serve, data, SATURATE);
  const rate = Math.max(1, Math.round(full.rps * 0.25));
  const openLoop = ["--cpus", "1", "-c", "200", "--connections", "4", "--rps", String(rate), "-z", `${seconds}s`];
  const open = await measure(serve, data, openLoop);
  const noopOpen = await measure([join(root, "bench/noop-server.ts")], data, openLoop);
  const status = Object.entries(full.statuses).map(([k, v]) => `${k}=${v}`).join(" ");
  process.stdout.write(
    [
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}; ghz on 1 core, ${seconds}s per run`,
      `${"run".padEnd(34)} ${"rps".padStart(7)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"p99.9 ms".padStart(8)} ${"errors".padStart(6)}`,
      row("no-op Check handler (saturated)", noop),
      row("modelgate pipeline (saturated)", full),
      row(`modelgate at 25 % (${rate} rps, open loop)`, open),
      row(`no-op at the same rate (open loop)`, noopOpen),
      `throughput ratio (pipeline / no-op): ${((full.rps / noop.rps) * 100).toFixed(1)} %`,
      `pipeline responses: ${status}`,
      "",
    ].join("\n"),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
