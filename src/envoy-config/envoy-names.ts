// Extension names and type URLs shared by the renderer and the lint, spelled once.

export const TYPE_URL_PREFIX = "type.googleapis.com/";

export const HCM_FILTER = "envoy.filters.network.http_connection_manager";
export const HCM_TYPE = "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
export const EXT_AUTHZ_FILTER = "envoy.filters.http.ext_authz";
export const EXT_AUTHZ_TYPE = "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz";
export const EXT_AUTHZ_PER_ROUTE_TYPE = "envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute";
export const ROUTER_FILTER = "envoy.filters.http.router";
export const ROUTER_TYPE = "envoy.extensions.filters.http.router.v3.Router";
export const BUFFER_FILTER = "envoy.filters.http.buffer";
export const BUFFER_TYPE = "envoy.extensions.filters.http.buffer.v3.Buffer";
export const TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";
export const DOWNSTREAM_TLS_TYPE = "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
// The key of Cluster.typed_extension_protocol_options is this type's full name.
export const UPSTREAM_HTTP_OPTIONS_TYPE = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

export const BOOTSTRAP_TYPE = "envoy.config.bootstrap.v3.Bootstrap";

export function typeUrl(fullName: string): string {
  return `${TYPE_URL_PREFIX}${fullName}`;
}

// Envoy's default per-connection buffer limit, also the HCM's default request buffer.
export const ENVOY_DEFAULT_BUFFER_BYTES = 1024 * 1024;

export const HTTP_GRPC_ACCESS_LOG = "envoy.access_loggers.http_grpc";
export const HTTP_GRPC_ACCESS_LOG_TYPE = "envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig";
