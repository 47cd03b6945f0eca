import type { ResolvedSidecarOptions } from "./sidecar-options.ts";
import { AUTHZ_CLUSTER } from "./render-clusters.ts";
import { EXT_AUTHZ_FILTER, EXT_AUTHZ_PER_ROUTE_TYPE, EXT_AUTHZ_TYPE, ROUTER_FILTER, ROUTER_TYPE, typeUrl } from "./envoy-names.ts";

// The ext_authz HTTP filter as modelgate needs it: fail closed with 503, the peer certificate
// and the (bounded) body in every CheckRequest.

export function durationFromMs(ms: number): string {
  return `${ms / 1000}s`;
}

export function renderExtAuthzFilter(o: ResolvedSidecarOptions): Record<string, unknown> {
  return {
    name: EXT_AUTHZ_FILTER,
    typed_config: {
      "@type": typeUrl(EXT_AUTHZ_TYPE),
      grpc_service: { envoy_grpc: { cluster_name: AUTHZ_CLUSTER }, timeout: durationFromMs(o.authzTimeoutMs) },
      transport_api_version: "V3",
      // An unreachable or slow modelgate must deny, and say "unavailable", not "forbidden".
      failure_mode_allow: false,
      status_on_error: { code: "ServiceUnavailable" },
      include_peer_certificate: true,
      // The OpenAI-compatible profile reads the model name from the JSON body; binary tensor
      // payloads must arrive unmangled, hence raw bytes.
      with_request_body: { max_request_bytes: o.maxRequestBytes, allow_partial_message: true, pack_as_bytes: true },
      // A re-route after the check could land on a route whose authz was never evaluated.
      clear_route_cache: false,
    },
  };
}

export function renderRouterFilter(): Record<string, unknown> {
  return { name: ROUTER_FILTER, typed_config: { "@type": typeUrl(ROUTER_TYPE) } };
}

export function renderExtAuthzDisabled(): Record<string, unknown> {
  return { [EXT_AUTHZ_FILTER]: { "@type": typeUrl(EXT_AUTHZ_PER_ROUTE_TYPE), disabled: true } };
}
