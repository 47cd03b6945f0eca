import { err, ok, type Result } from "../result.ts";
import { ANNOTATION, INJECTED_LABEL, injectionRequested, readPodSettings, type PodSettings, type Rejection } from "./annotations.ts";
import type { BootstrapRenderer, EnvoyMode } from "./envoy-mode.ts";
import type { InjectorConfig, SidecarConfig } from "./injector-config.ts";
import { pointerSegment, type PatchOp } from "./json-patch.ts";
import { findModelTarget, type ModelTarget } from "./model-target.ts";
import { asList, asObject, nameOf, stringMap, type JsonObject } from "./pod-json.ts";
import { rewriteProbes } from "./probe-rewrite.ts";
import {
  AUTHZ_SOCKET,
  ENVOY_CONTAINER,
  ENVOY_TLS_DIR,
  MODELGATE_CONTAINER,
  VOLUME,
  envoyContainer,
  modelgateContainer,
  sidecarVolumes,
} from "./sidecar-containers.ts";

// (pod, namespace, injector config) → the JSON patch that protects the pod, nothing to do,
// or a refusal. The same function serves the webhook and `modelgate inject`.

export type SkipReason = "not_requested" | "excluded_namespace" | "already_injected";

export type Plan =
  | { readonly kind: "skip"; readonly reason: SkipReason }
  | { readonly kind: "inject"; readonly ops: readonly PatchOp[] }
  | { readonly kind: "reject"; readonly rejections: readonly Rejection[] };

// The renamed model port keeps a recognisable name that no Service targets by accident.
export const MODEL_PORT_RENAMED = "mg-model";

export function rejectionText(rejections: readonly Rejection[]): string {
  return `modelgate: pod not admitted: ${rejections.map((r) => `${r.annotation}: ${r.message}`).join("; ")}`;
}

function alreadyInjected(pod: JsonObject): boolean {
  if (stringMap(asObject(pod["metadata"])?.["labels"])[INJECTED_LABEL] === "true") return true;
  return asList(asObject(pod["spec"])?.["initContainers"]).some((c) => nameOf(c) === MODELGATE_CONTAINER);
}

function reservedNameRejections(spec: JsonObject): Rejection[] {
  const containers = [...asList(spec["containers"]), ...asList(spec["initContainers"])].map(nameOf);
  const volumes = asList(spec["volumes"]).map(nameOf);
  const taken = [
    ...containers.filter((n) => n === MODELGATE_CONTAINER || n === ENVOY_CONTAINER),
    ...volumes.filter((n) => (Object.values(VOLUME) as (string | undefined)[]).includes(n)),
  ];
  return taken.map((n) => ({
    annotation: ANNOTATION.inject,
    message: `the pod already has a container or volume named ${JSON.stringify(n)}, reserved for the injected sidecars; rename it`,
  }));
}

function declaredPorts(spec: JsonObject): { container: string; port: number }[] {
  return [...asList(spec["containers"]), ...asList(spec["initContainers"])].flatMap((c) =>
    asList(asObject(c)?.["ports"]).flatMap((p) => {
      const port = asObject(p)?.["containerPort"];
      return typeof port === "number" ? [{ container: nameOf(c) ?? "", port }] : [];
    }),
  );
}

// All containers of a pod share one network namespace: a port the sidecars bind cannot be
// anyone else's.
function portRejections(spec: JsonObject, config: SidecarConfig, target: ModelTarget): Rejection[] {
  const sidecarPorts = [config.envoyPort, config.probePort, config.opsPort, config.adminPort];
  if (spec["hostNetwork"] === true)
    return [
      {
        annotation: ANNOTATION.inject,
        message: "hostNetwork pods share the node's ports and cannot be kept behind Envoy; remove hostNetwork or the annotation",
      },
    ];
  if (sidecarPorts.includes(target.port)) {
    return [
      {
        annotation: ANNOTATION.modelPort,
        message: `port ${target.port} is used by the sidecars (${sidecarPorts.join(", ")}); move the model server to another port`,
      },
    ];
  }
  const clash = declaredPorts(spec).find((d) => sidecarPorts.includes(d.port));
  if (clash === undefined) return [];
  return [
    {
      annotation: ANNOTATION.inject,
      message: `container ${JSON.stringify(clash.container)} declares port ${clash.port}, which the sidecars use (${sidecarPorts.join(", ")}); move it, or change the webhook's sidecar ports`,
    },
  ];
}

function envoyMode(config: SidecarConfig, pod: PodSettings, modelPort: number, routes: EnvoyMode["probes"]["routes"]): EnvoyMode {
  const tls =
    pod.tlsMode === "off"
      ? undefined
      : {
          certFile: `${ENVOY_TLS_DIR}/tls.crt`,
          keyFile: `${ENVOY_TLS_DIR}/tls.key`,
          caFile: `${ENVOY_TLS_DIR}/ca.crt`,
          requireClientCert: pod.tlsMode === "mtls",
        };
  return {
    listenPort: config.envoyPort,
    modelPort,
    modelProtocol: pod.upstreamHttp2 ? "http2" : "http1",
    authzSocketPath: AUTHZ_SOCKET,
    authzTimeoutMs: pod.authzTimeoutMs,
    maxRequestBytes: pod.maxRequestBytes,
    adminPort: config.adminPort,
    ...(tls === undefined ? {} : { tls }),
    probes: { port: config.probePort, routes },
    accessLog: config.accessLog,
  };
}

function appendOps(object: JsonObject, basePath: string, key: string, items: readonly unknown[]): PatchOp[] {
  if (Array.isArray(object[key])) return items.map((value) => ({ op: "add", path: `${basePath}/${key}/-`, value }));
  return [{ op: "add", path: `${basePath}/${key}`, value: items }];
}

function labelOps(pod: JsonObject): PatchOp[] {
  const metadata = asObject(pod["metadata"]);
  if (metadata === undefined) return [{ op: "add", path: "/metadata", value: { labels: { [INJECTED_LABEL]: "true" } } }];
  if (asObject(metadata["labels"]) === undefined) return [{ op: "add", path: "/metadata/labels", value: { [INJECTED_LABEL]: "true" } }];
  return [{ op: "add", path: `/metadata/labels/${pointerSegment(INJECTED_LABEL)}`, value: "true" }];
}

function injectionOps(
  pod: JsonObject,
  spec: JsonObject,
  config: SidecarConfig,
  settings: PodSettings,
  render: BootstrapRenderer,
): Result<PatchOp[], Rejection[]> {
  const target = findModelTarget(spec, settings);
  if (!target.ok) return err([target.error]);
  const ports = portRejections(spec, config, target.value);
  if (ports.length > 0) return err(ports);
  const containerPath = `/spec/containers/${target.value.containerIndex}`;
  const model = asObject(asList(spec["containers"])[target.value.containerIndex]) ?? {};
  const portIndex = target.value.portIndex;
  const portName = portIndex === undefined ? undefined : nameOf(asList(model["ports"])[portIndex]);
  const probes = rewriteProbes(
    model,
    containerPath,
    target.value.port,
    config.probePort,
    portName === undefined ? undefined : { from: portName, to: MODEL_PORT_RENAMED },
  );
  if (!probes.ok) return err([probes.error]);
  const bootstrap = render(envoyMode(config, settings, target.value.port, probes.value.routes));
  if (!bootstrap.ok)
    return err([{ annotation: ANNOTATION.inject, message: `the Envoy configuration for this pod is invalid: ${bootstrap.error}` }]);
  const rename: PatchOp[] =
    portName === undefined ? [] : [{ op: "replace", path: `${containerPath}/ports/${portIndex}/name`, value: MODEL_PORT_RENAMED }];
  const sidecars = [modelgateContainer(config, settings), envoyContainer(config, settings, bootstrap.value, portName)];
  return ok([
    ...labelOps(pod),
    ...appendOps(spec, "/spec", "initContainers", sidecars),
    ...appendOps(spec, "/spec", "volumes", sidecarVolumes(settings)),
    ...rename,
    ...probes.value.ops,
  ]);
}

export function planInjection(pod: JsonObject, namespace: string, config: InjectorConfig, render: BootstrapRenderer): Plan {
  // Excluded namespaces first: a misrouted pod there is never refused (a webhook that blocks
  // its own namespace or kube-system can deadlock the cluster's recovery).
  if (namespace === config.namespace || config.excludedNamespaces.includes(namespace))
    return { kind: "skip", reason: "excluded_namespace" };
  const annotations = stringMap(asObject(pod["metadata"])?.["annotations"]);
  const requested = injectionRequested(annotations);
  if (!requested.ok) return { kind: "reject", rejections: [requested.error] };
  if (!requested.value) return { kind: "skip", reason: "not_requested" };
  if (alreadyInjected(pod)) return { kind: "skip", reason: "already_injected" };
  const settings = readPodSettings(annotations, config.sidecar);
  if (!settings.ok) return { kind: "reject", rejections: settings.error };
  const spec = asObject(pod["spec"]) ?? {};
  const reserved = reservedNameRejections(spec);
  if (reserved.length > 0) return { kind: "reject", rejections: reserved };
  const ops = injectionOps(pod, spec, config.sidecar, settings.value, render);
  return ops.ok ? { kind: "inject", ops: ops.value } : { kind: "reject", rejections: ops.error };
}
