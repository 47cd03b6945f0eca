// The Kubernetes adapters' settings: `kubernetes:` in the configuration file, parsed by
// config/parse-kubernetes.ts (used when `policySource: kubernetes`). A plain type in core, so
// that config/ parses it without adapter code:
//
//   kubernetes:
//     kubeconfig: ""              # a kubeconfig file; default: in-cluster service account, else $KUBECONFIG / ~/.kube/config
//     namespace: ""               # default: the top-level `namespace` (MODELGATE_NAMESPACE)
//     allNamespaces: false        # watch every namespace (a central deployment); needs a ClusterRole
//     apiKeys: true               # also watch API key records
//     apiKeySource: apikeys       # apikeys: ApiKey objects; secrets: Secrets labelled modelgate.io/api-key (deprecated)
//     watchTimeoutSeconds: 60     # asked of the server per watch (randomised up to 1.5x); it then closes it
//     stallGraceSeconds: 30       # silent this long past that timeout: the watch is stalled and restarted
//     relistIntervalSeconds: 600  # full relist, repairing anything a watch missed
//     requestTimeoutSeconds: 30   # list and status requests
//     backoff: { initialMs: 500, maxMs: 30000 }
//     statusWriter:
//       enabled: true             # compete for the Lease; the holder writes AccessPolicy status
//       leaseName: modelgate-status-writer
//       leaseDurationSeconds: 15
//       renewIntervalSeconds: 5

export interface StatusWriterConfig {
  readonly enabled: boolean;
  readonly leaseName: string;
  readonly leaseDurationSeconds: number;
  readonly renewIntervalSeconds: number;
}

// Where key records live: ApiKey objects, or (until they are migrated) labelled Secrets.
export type ApiKeySource = "apikeys" | "secrets";
export const API_KEY_SOURCES: readonly ApiKeySource[] = ["apikeys", "secrets"];

export interface KubernetesConfig {
  readonly kubeconfig: string | undefined;
  readonly namespace: string | undefined; // undefined: the top-level namespace
  readonly allNamespaces: boolean;
  readonly apiKeys: boolean;
  readonly apiKeySource: ApiKeySource;
  readonly watchTimeoutSeconds: number;
  readonly stallGraceSeconds: number;
  readonly relistIntervalSeconds: number;
  readonly requestTimeoutSeconds: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly statusWriter: StatusWriterConfig;
}

export const DEFAULT_KUBERNETES_CONFIG: KubernetesConfig = Object.freeze({
  kubeconfig: undefined,
  namespace: undefined,
  allNamespaces: false,
  apiKeys: true,
  apiKeySource: "apikeys",
  watchTimeoutSeconds: 60,
  stallGraceSeconds: 30,
  relistIntervalSeconds: 600,
  requestTimeoutSeconds: 30,
  backoff: Object.freeze({ initialMs: 500, maxMs: 30_000 }),
  statusWriter: Object.freeze({ enabled: true, leaseName: "modelgate-status-writer", leaseDurationSeconds: 15, renewIntervalSeconds: 5 }),
});
