import { UPSTREAM_HTTP_OPTIONS_TYPE, typeUrl } from "./envoy-names.ts";
import type { ModelProtocol } from "./sidecar-options.ts";

// The two upstreams of the sidecar: the model server on loopback, and modelgate over a Unix
// socket (nothing else in the pod network can reach either).

export const MODEL_CLUSTER = "model";
export const AUTHZ_CLUSTER = "modelgate_authz";

function staticCluster(name: string, address: Readonly<Record<string, unknown>>, connectTimeout: string): Record<string, unknown> {
  return {
    name,
    type: "STATIC",
    connect_timeout: connectTimeout,
    load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address } }] }] },
  };
}

// HTTP/2 to the model server when it serves gRPC (the Open Inference Protocol's
// GRPCInferenceService); HTTP/1.1 otherwise, Envoy's default for a cluster.
export function renderModelCluster(modelPort: number, protocol: ModelProtocol): Record<string, unknown> {
  const cluster = staticCluster(MODEL_CLUSTER, { socket_address: { address: "127.0.0.1", port_value: modelPort } }, "1s");
  if (protocol === "http1") return cluster;
  return {
    ...cluster,
    typed_extension_protocol_options: {
      [UPSTREAM_HTTP_OPTIONS_TYPE]: { "@type": typeUrl(UPSTREAM_HTTP_OPTIONS_TYPE), explicit_http_config: { http2_protocol_options: {} } },
    },
  };
}

export function renderAuthzCluster(socketPath: string): Record<string, unknown> {
  return {
    ...staticCluster(AUTHZ_CLUSTER, { pipe: { path: socketPath } }, "0.25s"),
    typed_extension_protocol_options: {
      [UPSTREAM_HTTP_OPTIONS_TYPE]: {
        "@type": typeUrl(UPSTREAM_HTTP_OPTIONS_TYPE),
        explicit_http_config: {
          http2_protocol_options: {
            // Idle HTTP/2 connections to the authz server get reset after hours (envoy#28602)
            // without pings; 30 s stays above the server's permitted ping interval (10 s in
            // src/adapters/grpc/authz-server.ts), so it never answers "too_many_pings".
            connection_keepalive: { interval: "30s", timeout: "5s" },
          },
        },
      },
    },
    // The default breakers (1024 requests) overflow under load into gRPC UNAVAILABLE, which
    // Envoy turns into a 503 for the caller even though modelgate is healthy (envoy#16610).
    circuit_breakers: {
      thresholds: [{ priority: "DEFAULT", max_connections: 1024, max_pending_requests: 4096, max_requests: 4096, max_retries: 3 }],
    },
  };
}
