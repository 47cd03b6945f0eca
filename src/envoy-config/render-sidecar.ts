import type { SidecarOptions } from "./sidecar-options.ts";
import { resolveSidecarOptions } from "./sidecar-options.ts";
import { renderAuthzCluster, renderModelCluster } from "./render-clusters.ts";
import { renderInboundListener } from "./render-listener.ts";
import { renderProbeListener } from "./render-probe-listener.ts";

// The static Envoy bootstrap injected next to a model server. Check the options with
// checkSidecarOptions first; check the result with validateProtoJson + lintSidecarEnvoyConfig.

export type EnvoyBootstrapJson = Readonly<Record<string, unknown>>;

export function renderSidecarBootstrap(options: SidecarOptions): EnvoyBootstrapJson {
  const o = resolveSidecarOptions(options);
  return {
    // Admin can stop the server and dump config: loopback only, for probes through kubectl exec.
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: o.adminPort } } },
    static_resources: {
      listeners: [renderInboundListener(o), ...(o.probes === undefined ? [] : [renderProbeListener(o, o.probes)])],
      clusters: [renderModelCluster(o.modelPort, o.modelProtocol), renderAuthzCluster(o.authzSocketPath)],
    },
  };
}
