import { writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { stringify } from "yaml";
import { freePort, startProcess, waitUntil, type ManagedProcess } from "../../harness/managed-process.ts";
import type { TestCert, TestPki } from "./test-pki.ts";

// The real `modelgate webhook` as a child process: its own config file, a serving certificate
// for 127.0.0.1 from a test CA, readiness from its ops port.

export interface RunningWebhook {
  readonly port: number;
  readonly opsPort: number;
  readonly caPem: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly process: ManagedProcess;
  review(body: unknown): Promise<{ status: number; body: unknown }>;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export function servingCert(pki: TestPki, ca: TestCert, name: string): TestCert {
  return pki.issue(ca, name, { subject: `/CN=${name}`, ips: ["127.0.0.1"], dns: ["localhost"], extKeyUsage: "serverAuth" });
}

export async function startWebhook(pki: TestPki, ca: TestCert, extraConfig: Record<string, unknown> = {}): Promise<RunningWebhook> {
  const cert = servingCert(pki, ca, "webhook-serving");
  const [port, opsPort] = [await freePort(), await freePort()];
  const configFile = join(pki.dir, "webhook.yaml");
  writeFileSync(
    configFile,
    stringify({
      listen: `127.0.0.1:${port}`,
      opsListen: `127.0.0.1:${opsPort}`,
      tls: { certFile: cert.certFile, keyFile: cert.keyFile },
      namespace: "modelgate-system",
      ...extraConfig,
    }),
  );
  const cli = join(import.meta.dirname, "../../../src/cli/modelgate.ts");
  const proc = startProcess("modelgate-webhook", process.execPath, [cli, "webhook", "--config", configFile], join(pki.dir, "webhook.log"));
  await waitUntil(proc, "ready", 30_000, async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`)).ok);
  return {
    port,
    opsPort,
    caPem: ca.pem,
    certFile: cert.certFile,
    keyFile: cert.keyFile,
    process: proc,
    review: (body) => postJson(port, ca.pem, body),
    metrics: async () => (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text(),
    stop: () => proc.stop(),
  };
}

function postJson(port: number, caPem: string, body: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/inject", method: "POST", ca: caPem, headers: { "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8") || "null") as unknown }),
        );
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}
