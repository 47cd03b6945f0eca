import type { ProbeListenerOptions, ProbeRoute, ResolvedSidecarOptions } from "./sidecar-options.ts";
import { BUFFER_HEADROOM_BYTES } from "./sidecar-options.ts";
import { renderExtAuthzDisabled } from "./render-ext-authz.ts";
import { MODEL_CLUSTER } from "./render-clusters.ts";
import { connectionManager, envoyReadinessRoute } from "./render-listener.ts";

// The probe listener: plain HTTP on its own port, because kubelet cannot present a client
// certificate to the inbound listener. It answers Envoy's own readiness and forwards exactly
// the model's rewritten probes (GET, exact path) without ext_authz; any other path finds no
// route (404). The filter chain is the inbound one, so a route added here by mistake is
// authorized, and the lint refuses any other authz-free forwarding route.

export const PROBE_LISTENER = "modelgate_probes";

function probeRoute(probe: ProbeRoute): Record<string, unknown> {
  return {
    name: `probe_${probe.name}`,
    match: { path: probe.path, headers: [{ name: ":method", string_match: { exact: "GET" } }] },
    route: { cluster: MODEL_CLUSTER, prefix_rewrite: probe.modelPath, timeout: "60s" },
    typed_per_filter_config: renderExtAuthzDisabled(),
  };
}

function probeRouteConfig(probes: ProbeListenerOptions): Record<string, unknown> {
  return {
    name: PROBE_LISTENER,
    virtual_hosts: [{ name: PROBE_LISTENER, domains: ["*"], routes: [envoyReadinessRoute(), ...probes.routes.map(probeRoute)] }],
  };
}

// The inbound chain with the probe routes, its own stats prefix, and no access log (kubelet
// probes are not decisions to audit).
function probeConnectionManager(o: ResolvedSidecarOptions, probes: ProbeListenerOptions): Record<string, unknown> {
  return connectionManager({ ...o, accessLog: false }, probeRouteConfig(probes), PROBE_LISTENER);
}

export function renderProbeListener(o: ResolvedSidecarOptions, probes: ProbeListenerOptions): Record<string, unknown> {
  return {
    name: PROBE_LISTENER,
    address: { socket_address: { address: "0.0.0.0", port_value: probes.port } },
    // The same chain as the inbound listener, so the same buffer for ext_authz's body limit.
    per_connection_buffer_limit_bytes: o.maxRequestBytes + BUFFER_HEADROOM_BYTES,
    filter_chains: [{ filters: [probeConnectionManager(o, probes)] }],
  };
}
