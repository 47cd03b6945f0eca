import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// @kubernetes/client-node costs ≈ 21 MB of heap, so the server's and webhook's module graphs must
// not load it; the first kubeconfig does. Checked in a fresh Node process (vitest's own has
// loaded everything already), whose resolve hook records every import or require of the package.

const src = resolve(import.meta.dirname, "../../../src");
const dir = mkdtempSync(join(tmpdir(), "modelgate-kube-loading-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kubeconfig = join(dir, "kubeconfig");
writeFileSync(
  kubeconfig,
  [
    "apiVersion: v1",
    "kind: Config",
    "clusters: [{name: test, cluster: {server: 'https://127.0.0.1:6443'}}]",
    "users: [{name: test, user: {token: t}}]",
    "contexts: [{name: test, context: {cluster: test, user: test}}]",
    "current-context: test",
  ].join("\n"),
);

const probe = `
import { registerHooks } from "node:module";
let loads = 0;
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === "@kubernetes/client-node") loads += 1;
    return next(specifier, context);
  },
});
await import(${JSON.stringify(join(src, "wiring/start-server.ts"))});
await import(${JSON.stringify(join(src, "wiring/start-webhook.ts"))});
const { loadKubeConfig } = await import(${JSON.stringify(join(src, "adapters/k8s/kube-collections.ts"))});
const before = loads;
const kc = loadKubeConfig({ kubeconfig: ${JSON.stringify(kubeconfig)} });
process.stdout.write(JSON.stringify({ before, after: loads, server: kc.ok ? kc.value.getCurrentCluster().server : kc.error }));
`;

describe("loading the Kubernetes client", () => {
  it("happens at the first kubeconfig, not when the server's or webhook's modules are imported", () => {
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8" });
    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual({ before: 0, after: 1, server: "https://127.0.0.1:6443" });
  });
});
