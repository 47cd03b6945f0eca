import type { Issue } from "../core/result.ts";
import { ROUTING_HEADERS, type RoutingHeader } from "../core/request/routing-headers.ts";
import { PROBE_PATH_PREFIX } from "../core/inject/sidecar-paths.ts";

// What varies between injected sidecars. Everything else in the bootstrap is a fixed,
// security-relevant choice made in the renderer.

export interface SidecarTlsOptions {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  readonly requireClientCert: boolean;
}

// How Envoy speaks to the model server: HTTP/1.1, or HTTP/2 (gRPC inference needs it).
export type ModelProtocol = "http1" | "http2";

// A kubelet probe of the model server, moved onto Envoy's probe listener: GET `path` (exact)
// is forwarded to the model as `modelPath`, and only that route skips ext_authz.
export interface ProbeRoute {
  readonly name: string; // liveness | readiness | startup
  readonly path: string; // under PROBE_PATH_PREFIX
  readonly modelPath: string;
}

// The plain-HTTP listener kubelet probes reach (the inbound one may demand client certificates).
export interface ProbeListenerOptions {
  readonly port: number;
  readonly routes: readonly ProbeRoute[];
}

export interface SidecarOptions {
  readonly listenPort?: number;
  readonly modelPort: number;
  readonly modelProtocol?: ModelProtocol;
  readonly authzSocketPath: string;
  readonly authzTimeoutMs?: number;
  readonly maxRequestBytes?: number;
  readonly adminPort?: number;
  readonly tls?: SidecarTlsOptions;
  // modelgate's `routingHeader`: Ray Serve's `serve_multiplexed_model_id` needs Envoy to let
  // header names with underscores through (modelgate then refuses every other one).
  readonly routingHeader?: RoutingHeader;
  readonly probes?: ProbeListenerOptions;
  // Stream access logs to modelgate (AccessLogService on the authz socket) for audit outcomes.
  readonly accessLog?: boolean;
}

export interface ResolvedSidecarOptions {
  readonly listenPort: number;
  readonly modelPort: number;
  readonly modelProtocol: ModelProtocol;
  readonly authzSocketPath: string;
  readonly authzTimeoutMs: number;
  readonly maxRequestBytes: number;
  readonly adminPort: number;
  readonly tls: SidecarTlsOptions | undefined;
  readonly routingHeader: RoutingHeader | undefined;
  readonly probes: ProbeListenerOptions | undefined;
  readonly accessLog: boolean;
}

export const SIDECAR_DEFAULTS = {
  listenPort: 8443,
  authzTimeoutMs: 250,
  maxRequestBytes: 1024 * 1024,
  adminPort: 9901,
} as const;

// The listener buffers a little more than the authz body limit, so the filter's dispatch
// threshold is reached before read back-pressure pauses the connection.
export const BUFFER_HEADROOM_BYTES = 64 * 1024;

// Above 1 s a slow authz server stalls inference callers instead of failing fast with 503.
export const MAX_AUTHZ_TIMEOUT_MS = 1000;

export function resolveSidecarOptions(options: SidecarOptions): ResolvedSidecarOptions {
  return {
    listenPort: options.listenPort ?? SIDECAR_DEFAULTS.listenPort,
    modelPort: options.modelPort,
    modelProtocol: options.modelProtocol ?? "http1",
    authzSocketPath: options.authzSocketPath,
    authzTimeoutMs: options.authzTimeoutMs ?? SIDECAR_DEFAULTS.authzTimeoutMs,
    maxRequestBytes: options.maxRequestBytes ?? SIDECAR_DEFAULTS.maxRequestBytes,
    adminPort: options.adminPort ?? SIDECAR_DEFAULTS.adminPort,
    tls: options.tls,
    routingHeader: options.routingHeader,
    probes: options.probes,
    accessLog: options.accessLog ?? false,
  };
}

function integerIssue(path: string, value: number, min: number, max: number): Issue[] {
  return Number.isInteger(value) && value >= min && value <= max
    ? []
    : [{ path, message: `must be an integer from ${min} to ${max}, got ${value}` }];
}

function probeIssues(probes: ProbeListenerOptions | undefined): Issue[] {
  if (probes === undefined) return [];
  return [
    ...integerIssue("probes.port", probes.port, 1, 65535),
    ...probes.routes.flatMap((r, i) => [
      ...(r.path.startsWith(PROBE_PATH_PREFIX)
        ? []
        : [{ path: `probes.routes[${i}].path`, message: `must start with ${PROBE_PATH_PREFIX}` }]),
      ...(r.modelPath.startsWith("/") ? [] : [{ path: `probes.routes[${i}].modelPath`, message: "must be an absolute path" }]),
    ]),
  ];
}

function tlsIssues(tls: SidecarTlsOptions | undefined): Issue[] {
  if (tls === undefined) return [];
  return (["certFile", "keyFile", "caFile"] as const)
    .filter((k) => !tls[k].startsWith("/"))
    .map((k) => ({ path: `tls.${k}`, message: "must be an absolute file path" }));
}

// Renderer input is checked here rather than in the renderer, so callers (CLI, injector) get
// every problem at once as values; the rendered config is then checked against the protos.
export function checkSidecarOptions(options: SidecarOptions): Issue[] {
  const o = resolveSidecarOptions(options);
  const ports = [o.listenPort, o.modelPort, o.adminPort, ...(o.probes === undefined ? [] : [o.probes.port])];
  return [
    ...integerIssue("listenPort", o.listenPort, 1, 65535),
    ...integerIssue("modelPort", o.modelPort, 1, 65535),
    ...integerIssue("adminPort", o.adminPort, 1, 65535),
    ...(new Set(ports).size === ports.length
      ? []
      : [{ path: "listenPort", message: "listenPort, modelPort, adminPort and the probe port must differ" }]),
    ...integerIssue("authzTimeoutMs", o.authzTimeoutMs, 1, MAX_AUTHZ_TIMEOUT_MS),
    ...integerIssue("maxRequestBytes", o.maxRequestBytes, 1, 2 ** 32 - 1 - BUFFER_HEADROOM_BYTES),
    ...(o.authzSocketPath.startsWith("/")
      ? []
      : [{ path: "authzSocketPath", message: "must be an absolute path to the modelgate Unix socket" }]),
    ...tlsIssues(o.tls),
    ...(o.routingHeader === undefined || ROUTING_HEADERS.includes(o.routingHeader)
      ? []
      : [{ path: "routingHeader", message: `must be one of ${ROUTING_HEADERS.join(", ")}` }]),
    ...probeIssues(o.probes),
  ];
}
