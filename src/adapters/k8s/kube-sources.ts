import { KubeConfig } from "@kubernetes/client-node";
import type { KeyIndex } from "../../core/identity/key-store.ts";
import type { CompiledPolicyIndex } from "../../core/policy/compile.ts";
import type { Issue, Result } from "../../core/result.ts";
import { err, ok } from "../../core/result.ts";
import type { ApiKeySource, KubernetesConfig } from "./k8s-config.ts";
import type { KubeHttp } from "./kube-http.ts";
import { createKubeHttp } from "./kube-http.ts";
import { apiKeyCollection, interpretApiKey } from "./api-key-resource.ts";
import { API_KEY_LABEL, interpretKeySecret } from "./key-secret.ts";
import type { KeyWatch } from "./key-watch.ts";
import { createKeyWatch } from "./key-watch.ts";
import type { ResourceStatus } from "./last-good-collection.ts";
import type { LeaseElector } from "./lease-elector.ts";
import { createLeaseElector } from "./lease-elector.ts";
import type { CollectionPath } from "./list-watch-client.ts";
import { httpListWatchClient } from "./list-watch-client.ts";
import type { LoopEvent, LoopTimers, LoopTuning } from "./list-watch-loop.ts";
import type { PolicyStatus, PolicyWatch } from "./policy-watch.ts";
import { createPolicyWatch } from "./policy-watch.ts";
import { POLICY_API, createStatusWriter } from "./status-writer.ts";

// The composition the engine needs for `policySource: kubernetes`: a policy watch, a key watch
// and (when enabled) the Lease-elected status writer, all on one KubeConfig.

export interface KubernetesSources {
  readonly policies: PolicyWatch;
  readonly keys: KeyWatch | undefined;
  readonly elector: LeaseElector | undefined;
  ready(): boolean; // every watch has completed its first full list
  start(): void;
  stop(): Promise<void>;
}

export interface KubernetesHooks {
  readonly onLoop?: (source: "policies" | "apikeys", event: LoopEvent) => void;
  readonly onPolicies?: (index: CompiledPolicyIndex, statuses: readonly PolicyStatus[]) => void;
  readonly onKeys?: (index: KeyIndex, statuses: readonly ResourceStatus[]) => void; // a refused record serves no key: say why
  readonly onStatusError?: (key: string, message: string) => void;
}

export interface KubernetesSourcesOptions {
  readonly config: KubernetesConfig;
  readonly namespace: string; // the sidecar's: watched unless allNamespaces, and the Lease's home
  readonly identity: string; // this replica, for the Lease (the pod name)
  readonly timers: LoopTimers;
  readonly hooks?: KubernetesHooks;
}

export function loadKubeConfig(config: KubernetesConfig): Result<KubeConfig, Issue[]> {
  const kc = new KubeConfig();
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

export function createKubernetesSources(kc: KubeConfig, options: KubernetesSourcesOptions): KubernetesSources {
  const { config, timers } = options;
  const hooks = options.hooks ?? {};
  const http = createKubeHttp(kc);
  const scope = config.allNamespaces ? undefined : (config.namespace ?? options.namespace);
  const tuning = loopTuning(config);
  const timeoutMs = config.requestTimeoutSeconds * 1000;
  const elector = config.statusWriter.enabled ? statusElector(http, options) : undefined;
  const writer =
    elector === undefined
      ? undefined
      : createStatusWriter({
          http,
          timers,
          isLeader: () => elector.isLeader(),
          ...(hooks.onStatusError ? { onError: hooks.onStatusError } : {}),
        });
  const policies = createPolicyWatch({
    client: httpListWatchClient(http, policyCollection(scope), timeoutMs),
    timers,
    tuning,
    onLoop: (event) => hooks.onLoop?.("policies", event),
    onChange: (index, statuses) => {
      hooks.onPolicies?.(index, statuses);
      void writer?.sync(statuses);
    },
  });
  const records = keyRecords(config.apiKeySource, scope);
  const keys = config.apiKeys
    ? createKeyWatch({
        client: httpListWatchClient(http, records.collection, timeoutMs),
        interpret: records.interpret,
        timers,
        tuning,
        onLoop: (event) => hooks.onLoop?.("apikeys", event),
        ...(hooks.onKeys === undefined ? {} : { onChange: hooks.onKeys }),
      })
    : undefined;
  // A new leader, and every renewal, re-syncs: writes that failed before are retried.
  const resync = (): void => void writer?.sync(policies.status());
  let stopResync: (() => void) | undefined;
  return {
    policies,
    keys,
    elector,
    ready: () => policies.synced() && (keys === undefined || keys.synced()),
    start: () => {
      policies.start();
      keys?.start();
      elector?.start();
      if (elector !== undefined)
        startResync(timers, config.statusWriter.renewIntervalSeconds * 1000, resync, (cancel) => (stopResync = cancel));
    },
    stop: async () => {
      stopResync?.();
      policies.stop();
      keys?.stop();
      await elector?.stop();
    },
  };
}

function statusElector(http: KubeHttp, options: KubernetesSourcesOptions): LeaseElector {
  const writer = options.config.statusWriter;
  return createLeaseElector({
    http,
    timers: options.timers,
    namespace: options.config.namespace ?? options.namespace,
    name: writer.leaseName,
    identity: options.identity,
    leaseDurationSeconds: writer.leaseDurationSeconds,
    renewIntervalSeconds: writer.renewIntervalSeconds,
  });
}

function startResync(timers: LoopTimers, everyMs: number, run: () => void, keep: (cancel: () => void) => void): void {
  const tick = (): void => {
    run();
    keep(timers.after(everyMs, tick));
  };
  keep(timers.after(everyMs, tick));
}
