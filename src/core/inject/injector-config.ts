import type { ProtocolName } from "../model-action.ts";

// What the webhook (and `modelgate inject`) puts into a pod, from the webhook's own config
// file; per-pod annotations may override part of it (annotations.ts).

export type TlsMode = "off" | "tls" | "mtls";

export type ResourceList = Readonly<Record<string, string>>;

export interface ResourceRequirements {
  readonly requests?: ResourceList;
  readonly limits?: ResourceList;
}

export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface SidecarConfig {
  readonly image: string;
  readonly envoyImage: string;
  readonly imagePullPolicy: "Always" | "IfNotPresent" | "Never";
  readonly configMap: string; // in the pod's namespace, key modelgate.yaml
  readonly redisPasswordSecret: SecretKeyRef | undefined;
  readonly protocol: ProtocolName;
  readonly environment: string;
  readonly envoyPort: number; // clients reach the model here
  readonly probePort: number; // kubelet probes (plain HTTP)
  readonly opsPort: number; // modelgate /healthz /readyz /metrics
  readonly adminPort: number; // Envoy admin, loopback only
  readonly authzTimeoutMs: number;
  readonly maxRequestBytes: number;
  readonly upstreamHttp2: boolean;
  readonly accessLog: boolean;
  readonly tls: { readonly mode: TlsMode; readonly secretName: string };
  readonly runAsUser: number;
  readonly resources: { readonly modelgate: ResourceRequirements; readonly envoy: ResourceRequirements };
}

export interface InjectorConfig {
  readonly namespace: string; // the webhook's own: never injected
  readonly excludedNamespaces: readonly string[];
  readonly sidecar: SidecarConfig;
}

export const SIDECAR_CONFIG_DEFAULTS: SidecarConfig = {
  image: "ghcr.io/modelgate/modelgate:0.1.0",
  envoyImage: "docker.io/envoyproxy/envoy:v1.36.2",
  imagePullPolicy: "IfNotPresent",
  configMap: "modelgate-sidecar",
  redisPasswordSecret: undefined,
  protocol: "open-inference-v2",
  environment: "",
  envoyPort: 8443,
  probePort: 15021,
  opsPort: 15090,
  adminPort: 15000,
  authzTimeoutMs: 250,
  maxRequestBytes: 1024 * 1024,
  upstreamHttp2: false,
  accessLog: true,
  tls: { mode: "off", secretName: "modelgate-envoy-tls" },
  runAsUser: 65532,
  resources: {
    modelgate: { requests: { cpu: "100m", memory: "192Mi" }, limits: { memory: "384Mi" } },
    envoy: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "256Mi" } },
  },
};

export const INJECTOR_CONFIG_DEFAULTS: InjectorConfig = {
  namespace: "modelgate-system",
  excludedNamespaces: ["kube-system", "kube-public", "kube-node-lease"],
  sidecar: SIDECAR_CONFIG_DEFAULTS,
};
