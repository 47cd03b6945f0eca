import type * as KubeClient from "@kubernetes/client-node";
import { createRequire } from "node:module";
import type { Issue, Result } from "../../core/result.ts";
import { err, ok } from "../../core/result.ts";
import type { ApiKeySource, KubernetesConfig } from "../../core/kubernetes-config.ts";
import { apiKeyCollection, interpretApiKey } from "./api-key-resource.ts";
import { API_KEY_LABEL, interpretKeySecret } from "./key-secret.ts";
import type { CollectionPath } from "./list-watch-client.ts";
import type { LoopTuning } from "./list-watch-loop.ts";
import { POLICY_API } from "./status-writer.ts";

// Where the API server is and what is listed from it: the KubeConfig, the collections the
// sidecar watches and the loop tuning, shared by the sidecar's sources and the one-shot commands.

// The client is loaded by the first kubeconfig, not by importing this module: its entry imports
// the whole generated Kubernetes API, ≈ 21 MB of heap that every mark-compact marks again
// (docs/performance.md, "GC and the tail"), which a sidecar reading its policies and keys from
// files never uses.
// `require` of an ES module is synchronous in Node 24, so the callers stay synchronous.
function kubeClient(): typeof KubeClient {
  return createRequire(import.meta.url)("@kubernetes/client-node") as typeof KubeClient;
}

export function loadKubeConfig(config: KubernetesConfig): Result<KubeClient.KubeConfig, Issue[]> {
  const kc = new (kubeClient().KubeConfig)();
  try {
    if (config.kubeconfig !== undefined) kc.loadFromFile(config.kubeconfig);
    else kc.loadFromDefault(); // in-cluster service account first when present, else $KUBECONFIG / ~/.kube/config
  } catch (error) {
    return err([{ path: "kubernetes.kubeconfig", message: error instanceof Error ? error.message : String(error) }]);
  }
  if (kc.getCurrentCluster() === null) return err([{ path: "kubernetes.kubeconfig", message: "names no current cluster" }]);
  return ok(kc);
}

export function policyCollection(namespace: string | undefined): CollectionPath {
  return {
    description: `accesspolicies in ${namespace ?? "all namespaces"}`,
    path: namespace === undefined ? `${POLICY_API}/accesspolicies` : `${POLICY_API}/namespaces/${namespace}/accesspolicies`,
  };
}

export function keySecretCollection(namespace: string | undefined): CollectionPath {
  return {
    description: `API key secrets in ${namespace ?? "all namespaces"}`,
    path: namespace === undefined ? "/api/v1/secrets" : `/api/v1/namespaces/${namespace}/secrets`,
    labelSelector: API_KEY_LABEL,
  };
}

// The key records' collection and reader for `kubernetes.apiKeySource`.
export function keyRecords(source: ApiKeySource, namespace: string | undefined) {
  return source === "apikeys"
    ? { collection: apiKeyCollection(namespace), interpret: interpretApiKey }
    : { collection: keySecretCollection(namespace), interpret: interpretKeySecret };
}

export function loopTuning(config: KubernetesConfig): LoopTuning {
  return {
    watchTimeoutSeconds: config.watchTimeoutSeconds,
    stallGraceMs: config.stallGraceSeconds * 1000,
    relistIntervalMs: config.relistIntervalSeconds * 1000,
    backoffInitialMs: config.backoff.initialMs,
    backoffMaxMs: config.backoff.maxMs,
  };
}
