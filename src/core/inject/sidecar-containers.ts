import type { PodSettings } from "./annotations.ts";
import type { ResourceRequirements, SidecarConfig } from "./injector-config.ts";
import type { JsonObject } from "./pod-json.ts";
import { ENVOY_READINESS_PATH } from "./sidecar-paths.ts";

// The two native sidecars (init containers with restartPolicy Always) and their volumes.
// Order matters: the kubelet starts modelgate, waits for its startup probe, then Envoy, then
// the model; on shutdown it stops them in reverse, after the model.

export const MODELGATE_CONTAINER = "modelgate";
export const ENVOY_CONTAINER = "modelgate-envoy";
export const ENVOY_PORT_NAME = "modelgate-http";
export const PROBE_PORT_NAME = "modelgate-probe";
export const OPS_PORT_NAME = "modelgate-ops";
export const SOCKET_DIR = "/var/run/modelgate";
export const AUTHZ_SOCKET = `${SOCKET_DIR}/authz.sock`;
export const CONFIG_DIR = "/etc/modelgate";
export const ENVOY_TLS_DIR = "/etc/modelgate-envoy/tls";

export const VOLUME = {
  socket: "modelgate-socket",
  config: "modelgate-config",
  tmp: "modelgate-tmp",
  tls: "modelgate-envoy-tls",
} as const;

function securityContext(runAsUser: number): JsonObject {
  return {
    runAsNonRoot: true,
    runAsUser,
    runAsGroup: runAsUser,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

function resources(r: ResourceRequirements): JsonObject {
  return {
    ...(r.requests === undefined ? {} : { requests: { ...r.requests } }),
    ...(r.limits === undefined ? {} : { limits: { ...r.limits } }),
  };
}

function httpProbe(path: string, port: number, periodSeconds: number, failureThreshold: number): JsonObject {
  return { httpGet: { path, port, scheme: "HTTP" }, periodSeconds, failureThreshold, timeoutSeconds: 1 };
}

function env(name: string, value: string): JsonObject {
  return { name, value };
}

export function modelgateContainer(config: SidecarConfig, pod: PodSettings): JsonObject {
  const secret = config.redisPasswordSecret;
  return {
    name: MODELGATE_CONTAINER,
    image: pod.image,
    imagePullPolicy: config.imagePullPolicy,
    args: ["serve"],
    restartPolicy: "Always",
    env: [
      env("MODELGATE_CONFIG", `${CONFIG_DIR}/modelgate.yaml`),
      env("MODELGATE_SOCKET", AUTHZ_SOCKET),
      // The TCP gRPC port is not used in the pod (Envoy uses the socket); 0 cannot collide with the model's.
      env("MODELGATE_LISTEN", "127.0.0.1:0"),
      env("MODELGATE_METRICS_LISTEN", `0.0.0.0:${config.opsPort}`),
      // Unset, not "": the ConfigMap's model and environment then apply (and the API server
      // would drop an empty value anyway, making the stored pod differ from `modelgate inject`).
      ...(pod.model === "" ? [] : [env("MODELGATE_MODEL", pod.model)]),
      env("MODELGATE_PROTOCOL", pod.protocol),
      ...(pod.environment === "" ? [] : [env("MODELGATE_ENVIRONMENT", pod.environment)]),
      { name: "MODELGATE_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      ...(secret === undefined
        ? []
        : [{ name: "MODELGATE_REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: secret.name, key: secret.key, optional: true } } }]),
    ],
    ports: [{ name: OPS_PORT_NAME, containerPort: config.opsPort, protocol: "TCP" }],
    // Started means policies are loaded: only then does the kubelet start Envoy and the model.
    startupProbe: httpProbe("/readyz", config.opsPort, 1, 120),
    readinessProbe: httpProbe("/readyz", config.opsPort, 5, 3),
    livenessProbe: httpProbe("/healthz", config.opsPort, 10, 3),
    resources: resources(pod.modelgateResources),
    securityContext: securityContext(config.runAsUser),
    volumeMounts: [
      { name: VOLUME.socket, mountPath: SOCKET_DIR },
      { name: VOLUME.config, mountPath: CONFIG_DIR, readOnly: true },
      { name: VOLUME.tmp, mountPath: "/tmp" },
    ],
  };
}

export function envoyContainer(config: SidecarConfig, pod: PodSettings, bootstrap: string, modelPortName: string | undefined): JsonObject {
  return {
    name: ENVOY_CONTAINER,
    image: pod.envoyImage,
    imagePullPolicy: config.imagePullPolicy,
    command: ["envoy"],
    // The bootstrap travels in the pod spec: no per-pod ConfigMap to create, clean up or race.
    args: ["--config-yaml", bootstrap, "--disable-hot-restart", "--log-level", "warn"],
    restartPolicy: "Always",
    ports: [
      { name: ENVOY_PORT_NAME, containerPort: config.envoyPort, protocol: "TCP" },
      // A Service whose targetPort names the model's port now reaches Envoy (Kubernetes ≥ 1.32).
      ...(modelPortName === undefined ? [] : [{ name: modelPortName, containerPort: config.envoyPort, protocol: "TCP" }]),
      { name: PROBE_PORT_NAME, containerPort: config.probePort, protocol: "TCP" },
    ],
    startupProbe: httpProbe(ENVOY_READINESS_PATH, config.probePort, 1, 120),
    readinessProbe: httpProbe(ENVOY_READINESS_PATH, config.probePort, 5, 3),
    resources: resources(pod.envoyResources),
    securityContext: securityContext(config.runAsUser),
    volumeMounts: [
      { name: VOLUME.socket, mountPath: SOCKET_DIR },
      ...(pod.tlsMode === "off" ? [] : [{ name: VOLUME.tls, mountPath: ENVOY_TLS_DIR, readOnly: true }]),
    ],
  };
}

export function sidecarVolumes(pod: PodSettings): JsonObject[] {
  return [
    { name: VOLUME.socket, emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
    { name: VOLUME.config, configMap: { name: pod.configMap } },
    { name: VOLUME.tmp, emptyDir: { sizeLimit: "64Mi" } },
    ...(pod.tlsMode === "off" ? [] : [{ name: VOLUME.tls, secret: { secretName: pod.tlsSecret } }]),
  ];
}
