import type { KubeConfig } from "@kubernetes/client-node";
import type { KeyIndex } from "../core/identity/key-store.ts";
import type { CompiledPolicyIndex } from "../core/policy/compile.ts";
import type { KubernetesConfig } from "../core/kubernetes-config.ts";
import { keyRecords, loopTuning, policyCollection } from "../adapters/k8s/kube-collections.ts";
import type { KubeHttp } from "../adapters/k8s/kube-http.ts";
import { createKubeHttp } from "../adapters/k8s/kube-http.ts";
import type { KeyWatch } from "../adapters/k8s/key-watch.ts";
import { createKeyWatch } from "../adapters/k8s/key-watch.ts";
import type { ResourceStatus } from "../adapters/k8s/last-good-collection.ts";
import type { LeaseElector } from "../adapters/k8s/lease-elector.ts";
import { createLeaseElector } from "../adapters/k8s/lease-elector.ts";
import { httpListWatchClient } from "../adapters/k8s/list-watch-client.ts";
import type { LoopEvent, LoopTimers } from "../adapters/k8s/list-watch-loop.ts";
import type { PolicyStatus, PolicyWatch } from "../adapters/k8s/policy-watch.ts";
import { createPolicyWatch } from "../adapters/k8s/policy-watch.ts";
import { createStatusWriter } from "../adapters/k8s/status-writer.ts";

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
