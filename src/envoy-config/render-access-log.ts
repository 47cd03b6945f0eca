import type { ResolvedSidecarOptions } from "./sidecar-options.ts";
import { AUTHZ_CLUSTER } from "./render-clusters.ts";
import { HTTP_GRPC_ACCESS_LOG, HTTP_GRPC_ACCESS_LOG_TYPE, typeUrl } from "./envoy-names.ts";

// Envoy's gRPC access log (AccessLogService) to modelgate over the same Unix socket as
// ext_authz: each request's response code, bytes and duration become the audit "outcome"
// joined to its decision by x-request-id (README "Audit log", audit.outcomes).

export function renderAccessLogs(o: ResolvedSidecarOptions): Record<string, unknown> {
  if (!o.accessLog) return {};
  return {
    access_log: [
      {
        name: HTTP_GRPC_ACCESS_LOG,
        typed_config: {
          "@type": typeUrl(HTTP_GRPC_ACCESS_LOG_TYPE),
          common_config: {
            log_name: "modelgate",
            grpc_service: { envoy_grpc: { cluster_name: AUTHZ_CLUSTER } },
            transport_api_version: "V3",
          },
        },
      },
    ],
  };
}
