import { accessSync, constants, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

// Where build-kube.sh put kube-apiserver and etcd (or KUBEBUILDER_ASSETS, envtest's layout).
// The same rules as the script, so the tests find exactly what it built.

export interface KubeBinaries {
  readonly apiserver: string;
  readonly etcd: string;
}

export type BinariesLookup = { readonly found: true; readonly binaries: KubeBinaries } | { readonly found: false; readonly why: string };

const HERE = import.meta.dirname;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function moduleVersion(goMod: string, module: string): string | undefined {
  const line = readFileSync(goMod, "utf8")
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .find((parts) => parts[0] === module && parts[1]?.startsWith("v") === true);
  return line?.[1];
}

export function kubeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const k8s = moduleVersion(join(HERE, "kube-tools", "go.mod"), "k8s.io/kubernetes");
  const etcd = moduleVersion(join(HERE, "etcd-tools", "go.mod"), "go.etcd.io/etcd/server/v3");
  const root = env["MODELGATE_TOOLS"] ?? join(homedir(), ".cache", "modelgate-tools");
  return join(root, "kube", `${k8s ?? "unknown"}-${etcd ?? "unknown"}`);
}

export function findKubeBinaries(env: NodeJS.ProcessEnv = process.env): BinariesLookup {
  const assets = env["KUBEBUILDER_ASSETS"];
  const dirs = [...(assets === undefined || assets === "" ? [] : [assets]), kubeCacheDir(env)];
  for (const dir of dirs) {
    const binaries = { apiserver: join(dir, "kube-apiserver"), etcd: join(dir, "etcd") };
    if (executable(binaries.apiserver) && executable(binaries.etcd)) return { found: true, binaries };
  }
  // Missing binaries fail the cluster tests (locally and under CI alike): nothing is skipped.
  return {
    found: false,
    why: `no kube-apiserver and etcd in ${dirs.join(" or ")}; run test/harness/build-kube.sh (about 6 min on 2 cores)`,
  };
}
