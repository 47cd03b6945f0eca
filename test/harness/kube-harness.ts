import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { findKubeBinaries, type KubeBinaries } from "./kube-binaries.ts";
import { makeControlPlanePki, type ControlPlanePki } from "./kube-pki.ts";
import { freePort, startProcess, waitUntil, type ManagedProcess } from "./managed-process.ts";

// A real etcd + kube-apiserver on loopback, started the way controller-runtime's envtest does:
// generated certificates, RBAC authorization, a static bearer token for an admin in
// system:masters, a kubeconfig file. No controller-manager: nothing here needs one. Tests that
// need an unprivileged caller create a real ServiceAccount and request its token
// (k8s-rbac.test.ts), which is what the sidecar runs as.

export const ADMIN_TOKEN = "modelgate-admin-token";

export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface KubeHarness {
  readonly server: string; // https://127.0.0.1:<port>
  readonly caPem: string;
  readonly kubeconfigFile: string; // one context, "admin"
  kubeConfig(token?: string): KubeConfig;
  // One JSON request with a bearer token (admin by default).
  request(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<KubeResponse>;
  // A second kube-apiserver on the same etcd (an HA control plane): changes made through it
  // while the first is down are what a resuming watch must catch up on.
  startSecondApiserver(): Promise<KubeHarness>;
  stopApiserver(): Promise<void>;
  startApiserver(): Promise<void>;
  pauseApiserver(): void;
  resumeApiserver(): void;
  stop(): Promise<void>;
}

export interface RequestOptions {
  readonly token?: string;
  readonly contentType?: string;
  readonly accept?: string; // e.g. a Table, as kubectl get asks for it
  readonly timeoutMs?: number;
}

const START_TIMEOUT_MS = 90_000;

export async function startKubeHarness(): Promise<KubeHarness> {
  const lookup = findKubeBinaries();
  if (!lookup.found) throw new Error(lookup.why);
  const dir = mkdtempSync(join(tmpdir(), "modelgate-kube-"));
  const pki = makeControlPlanePki(dir);
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(join(dir, "tokens.csv"), `${ADMIN_TOKEN},admin,admin-uid,"system:masters"\n`);
  const etcd = await startEtcd(lookup.binaries, dir, etcdPort ?? 0, peerPort ?? 0);
  const stopAll = async (): Promise<void> => {
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const harness = apiserverHarness(dir, lookup.binaries, pki, etcdPort ?? 0, apiPort ?? 0, stopAll);
  try {
    await harness.startApiserver();
  } catch (error) {
    await harness.stop();
    throw error;
  }
  return harness;
}

function apiserverHarness(
  dir: string,
  binaries: KubeBinaries,
  pki: ControlPlanePki,
  etcdPort: number,
  apiPort: number,
  stopRest: () => Promise<void>,
): KubeHarness {
  const server = `https://127.0.0.1:${apiPort}`;
  const certDir = join(dir, `apiserver-${apiPort}`);
  mkdirSync(certDir);
  const args = apiserverArgs(dir, certDir, pki, etcdPort, apiPort);
  let apiserver: ManagedProcess | undefined;
  const harness: KubeHarness = {
    server,
    caPem: pki.caPem,
    kubeconfigFile: writeKubeconfig(certDir, server, pki.caPem),
    kubeConfig: (token = ADMIN_TOKEN) => kubeConfigFor(server, pki.caPem, token),
    request: (method, path, body, options = {}) => kubeRequest(server, pki.caPem, method, path, body, options),
    startApiserver: async () => {
      apiserver = startProcess("kube-apiserver", binaries.apiserver, args, join(certDir, "kube-apiserver.log"));
      await waitReady(harness, apiserver);
    },
    startSecondApiserver: async () => {
      const second = apiserverHarness(dir, binaries, pki, etcdPort, await freePort(), async () => undefined);
      await second.startApiserver();
      return second;
    },
    stopApiserver: async () => apiserver?.stop(),
    pauseApiserver: () => apiserver?.pause(),
    resumeApiserver: () => apiserver?.resume(),
    stop: async () => {
      await apiserver?.stop();
      await stopRest();
    },
  };
  return harness;
}

async function startEtcd(binaries: KubeBinaries, dir: string, port: number, peerPort: number): Promise<ManagedProcess> {
  const client = `http://127.0.0.1:${port}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const data = join(dir, "etcd-data");
  mkdirSync(data);
  const etcd = startProcess(
    "etcd",
    binaries.etcd,
    [
      "--name=harness",
      `--data-dir=${data}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=harness=${peer}`,
      "--unsafe-no-fsync=true",
      "--log-level=warn",
    ],
    join(dir, "etcd.log"),
  );
  await waitUntil(etcd, "healthy", START_TIMEOUT_MS, async () => {
    const response = await fetch(`${client}/health`);
    return response.ok && ((await response.json()) as { health?: string }).health === "true";
  });
  return etcd;
}

function apiserverArgs(dir: string, certDir: string, pki: ControlPlanePki, etcdPort: number, port: number): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    `--cert-dir=${certDir}`,
    `--tls-cert-file=${pki.servingCert}`,
    `--tls-private-key-file=${pki.servingKey}`,
    `--secure-port=${port}`,
    "--bind-address=127.0.0.1",
    // No default route here: without an explicit advertise address kube-apiserver refuses to start,
    // and a loopback one makes the endpoint reconciler complain, so it is switched off.
    "--advertise-address=127.0.0.1",
    "--endpoint-reconciler-type=none",
    "--service-cluster-ip-range=10.0.0.0/24",
    "--authorization-mode=RBAC",
    `--token-auth-file=${join(dir, "tokens.csv")}`,
    "--disable-admission-plugins=ServiceAccount",
    `--service-account-issuer=https://127.0.0.1:${port}/`,
    `--service-account-key-file=${pki.saPublicKey}`,
    `--service-account-signing-key-file=${pki.saPrivateKey}`,
    "--enable-priority-and-fairness=false",
  ];
}

async function waitReady(harness: KubeHarness, apiserver: ManagedProcess): Promise<void> {
  await waitUntil(apiserver, "ready", START_TIMEOUT_MS, async () => {
    const ready = await harness.request("GET", "/readyz", undefined, { timeoutMs: 2000 });
    if (ready.status !== 200) return false;
    // RBAC bootstrap roles and the default namespace come from post-start hooks.
    const ns = await harness.request("GET", "/api/v1/namespaces/default", undefined, { timeoutMs: 2000 });
    return ns.status === 200;
  });
}

function kubeConfigFor(server: string, caPem: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "harness", server, caData: Buffer.from(caPem).toString("base64"), skipTLSVerify: false }],
    users: [{ name: "user", token }],
    contexts: [{ name: "harness", cluster: "harness", user: "user" }],
    currentContext: "harness",
  });
  return kc;
}

function writeKubeconfig(dir: string, server: string, caPem: string): string {
  const file = join(dir, "kubeconfig");
  const ca = Buffer.from(caPem).toString("base64");
  writeFileSync(
    file,
    JSON.stringify(
      {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "harness", cluster: { server, "certificate-authority-data": ca } }],
        users: [{ name: "admin", user: { token: ADMIN_TOKEN } }],
        contexts: [{ name: "admin", context: { cluster: "harness", user: "admin" } }],
        "current-context": "admin",
      },
      null,
      2,
    ),
  );
  return file;
}

function kubeRequest(
  server: string,
  ca: string,
  method: string,
  path: string,
  body: unknown,
  options: RequestOptions,
): Promise<KubeResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.token ?? ADMIN_TOKEN}`,
    accept: options.accept ?? "application/json",
  };
  if (payload !== undefined) headers["content-type"] = options.contentType ?? "application/json";
  return new Promise((resolve, reject) => {
    const req = request(`${server}${path}`, { method, ca, headers, timeout: options.timeoutMs ?? 15_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // /readyz and friends answer plain text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}
