import type { ResolvedSidecarOptions, SidecarTlsOptions } from "./sidecar-options.ts";
import { BUFFER_HEADROOM_BYTES } from "./sidecar-options.ts";
import { DOWNSTREAM_TLS_TYPE, HCM_FILTER, HCM_TYPE, TLS_TRANSPORT_SOCKET, typeUrl } from "./envoy-names.ts";
import { renderExtAuthzDisabled, renderExtAuthzFilter, renderRouterFilter } from "./render-ext-authz.ts";
import { MODEL_CLUSTER } from "./render-clusters.ts";
import { renderAccessLogs } from "./render-access-log.ts";
import { ENVOY_READINESS_PATH } from "../core/inject/sidecar-paths.ts";

// The one inbound listener: every request to the model passes ext_authz; the only exception
// is Envoy's own readiness answer, which never reaches the model server.

export const INBOUND_LISTENER = "modelgate_inbound";

export function envoyReadinessRoute(): Record<string, unknown> {
  return {
    name: "envoy_readiness",
    match: { path: ENVOY_READINESS_PATH },
    direct_response: { status: 200, body: { inline_string: "ok" } },
    typed_per_filter_config: renderExtAuthzDisabled(),
  };
}

function routeConfig(): Record<string, unknown> {
  return {
    name: INBOUND_LISTENER,
    virtual_hosts: [
      {
        name: MODEL_CLUSTER,
        domains: ["*"],
        routes: [
          envoyReadinessRoute(),
          {
            name: MODEL_CLUSTER,
            match: { prefix: "/" },
            // Generations and streams outlive the 15 s default; idle_timeout still ends a stuck upstream.
            route: { cluster: MODEL_CLUSTER, timeout: "0s", idle_timeout: "300s" },
          },
        ],
      },
    ],
  };
}

// Underscored names can be folded into dashed ones upstream (header smuggling), so Envoy rejects
// them — unless modelgate's routing header has one (Ray Serve). Envoy's choice is global, so then
// every such header reaches modelgate, which refuses all but the routing header (header_invalid).
function underscoreAction(o: ResolvedSidecarOptions): "ALLOW" | "REJECT_REQUEST" {
  return o.routingHeader?.includes("_") === true ? "ALLOW" : "REJECT_REQUEST";
}

export function connectionManager(
  o: ResolvedSidecarOptions,
  routes: Record<string, unknown> = routeConfig(),
  statPrefix: string = INBOUND_LISTENER,
): Record<string, unknown> {
  return {
    name: HCM_FILTER,
    typed_config: {
      "@type": typeUrl(HCM_TYPE),
      stat_prefix: statPrefix,
      codec_type: "AUTO",
      use_remote_address: true,
      // modelgate authorizes the path Envoy forwards: both must see one canonical form.
      normalize_path: true,
      merge_slashes: true,
      path_with_escaped_slashes_action: "REJECT_REQUEST",
      common_http_protocol_options: { headers_with_underscores_action: underscoreAction(o) },
      request_headers_timeout: "10s",
      // Only the element this Envoy writes survives; a client cannot forge an earlier hop.
      forward_client_cert_details: "SANITIZE_SET",
      set_current_client_cert_details: { subject: true, cert: true, dns: true, uri: true },
      route_config: routes,
      ...renderAccessLogs(o),
      http_filters: [renderExtAuthzFilter(o), renderRouterFilter()],
    },
  };
}

function transportSocket(tls: SidecarTlsOptions): Record<string, unknown> {
  return {
    name: TLS_TRANSPORT_SOCKET,
    typed_config: {
      "@type": typeUrl(DOWNSTREAM_TLS_TYPE),
      common_tls_context: {
        tls_params: { tls_minimum_protocol_version: "TLSv1_2" },
        tls_certificates: [{ certificate_chain: { filename: tls.certFile }, private_key: { filename: tls.keyFile } }],
        validation_context: { trusted_ca: { filename: tls.caFile } },
        alpn_protocols: ["h2", "http/1.1"],
      },
      require_client_certificate: tls.requireClientCert,
    },
  };
}

export function renderInboundListener(o: ResolvedSidecarOptions): Record<string, unknown> {
  const chain = { filters: [connectionManager(o)], ...(o.tls === undefined ? {} : { transport_socket: transportSocket(o.tls) }) };
  return {
    name: INBOUND_LISTENER,
    address: { socket_address: { address: "0.0.0.0", port_value: o.listenPort } },
    // Large enough for ext_authz to buffer max_request_bytes, no larger: a connection's
    // buffered bytes are memory an abusive client controls.
    per_connection_buffer_limit_bytes: o.maxRequestBytes + BUFFER_HEADROOM_BYTES,
    filter_chains: [chain],
  };
}
