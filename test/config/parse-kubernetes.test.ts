import { describe, expect, it } from "vitest";
import { DEFAULT_KUBERNETES_CONFIG } from "../../src/core/kubernetes-config.ts";
import { parseKubernetesConfig } from "../../src/config/parse-kubernetes.ts";

describe("kubernetes configuration", () => {
  it("defaults everything", () => {
    expect(parseKubernetesConfig(undefined, "kubernetes")).toEqual({ ok: true, value: DEFAULT_KUBERNETES_CONFIG });
  });

  it("reads every key", () => {
    const raw = {
      kubeconfig: "/k",
      namespace: "ml-prod",
      allNamespaces: true,
      apiKeys: false,
      apiKeySource: "secrets",
      watchTimeoutSeconds: 30,
      stallGraceSeconds: 10,
      relistIntervalSeconds: 300,
      requestTimeoutSeconds: 5,
      backoff: { initialMs: 100, maxMs: 5000 },
      statusWriter: { enabled: false, leaseName: "lease", leaseDurationSeconds: 20, renewIntervalSeconds: 4 },
    };
    expect(parseKubernetesConfig(raw, "kubernetes")).toEqual({ ok: true, value: { ...raw } });
  });

  it.each([
    [{ namespaces: "x" }, "kubernetes.namespaces"],
    [{ namespace: "ML_Prod" }, "kubernetes.namespace"],
    [{ allNamespaces: "yes" }, "kubernetes.allNamespaces"],
    [{ watchTimeoutSeconds: 1 }, "kubernetes.watchTimeoutSeconds"],
    [{ backoff: { initialMs: 1000, maxMs: 500 } }, "kubernetes.backoff.maxMs"],
    [{ backoff: [] }, "kubernetes.backoff"],
    [{ statusWriter: { leaseDurationSeconds: 5, renewIntervalSeconds: 5 } }, "kubernetes.statusWriter.renewIntervalSeconds"],
    [{ statusWriter: { leaseName: "Bad Name" } }, "kubernetes.statusWriter.leaseName"],
    [{ kubeconfig: 3 }, "kubernetes.kubeconfig"],
    [{ apiKeySource: "secret" }, "kubernetes.apiKeySource"],
    ["text", "kubernetes"],
  ])("refuses %j at %s", (raw, path) => {
    const result = parseKubernetesConfig(raw, "kubernetes");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.map((i) => i.path)).toContain(path);
  });

  it("reports every problem at once", () => {
    const result = parseKubernetesConfig({ apiKeys: 1, requestTimeoutSeconds: 0, extra: true }, "k");
    expect(result.ok ? [] : result.error.map((i) => i.path).sort()).toEqual(["k.apiKeys", "k.extra", "k.requestTimeoutSeconds"]);
  });
});
