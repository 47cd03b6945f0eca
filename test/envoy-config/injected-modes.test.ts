import { describe, expect, it } from "vitest";
import { loadEnvoyValidationRoot } from "../../src/envoy-config/envoy-validation-root.ts";
import { BOOTSTRAP_TYPE } from "../../src/envoy-config/envoy-names.ts";
import { validateProtoJson } from "../../src/envoy-config/proto-json-validator.ts";
import { renderSidecarBootstrap } from "../../src/envoy-config/render-sidecar.ts";
import { lintSidecarEnvoyConfig } from "../../src/envoy-config/sidecar-lint.ts";
import type { SidecarOptions } from "../../src/envoy-config/sidecar-options.ts";
import { checkSidecarOptions } from "../../src/envoy-config/sidecar-options.ts";
import { EXAMPLE_SIDECAR_OPTIONS } from "../../src/envoy-config/example-yaml.ts";
import { TLS_SIDECAR_OPTIONS } from "./helpers/invalid-fixture.ts";
import { getAt, setAt } from "./helpers/json-patch-path.ts";

// Every mode the injection annotations allow renders a bootstrap that the strict proto-JSON
// validator and the sidecar lint accept; the probe exception stays as narrow as intended.

const root = loadEnvoyValidationRoot();
const PROBES = {
  port: 15021,
  routes: [
    { name: "readiness", path: "/modelgate-probe/readiness", modelPath: "/v2/health/ready" },
    { name: "liveness", path: "/modelgate-probe/liveness", modelPath: "/healthz?full=1" },
  ],
};
const INJECTED: SidecarOptions = { ...EXAMPLE_SIDECAR_OPTIONS, adminPort: 15000, probes: PROBES, accessLog: true };

const MODES: readonly (readonly [string, SidecarOptions])[] = [
  ["plain HTTP", INJECTED],
  ["TLS", { ...INJECTED, tls: { ...TLS_SIDECAR_OPTIONS.tls!, requireClientCert: false } }],
  ["mTLS", { ...INJECTED, tls: TLS_SIDECAR_OPTIONS.tls! }],
  ["HTTP/2 upstream (gRPC model server)", { ...INJECTED, modelProtocol: "http2" }],
  ["large bodies for body-reading profiles", { ...INJECTED, maxRequestBytes: 8 * 1024 * 1024 }],
  ["no probes to rewrite, no access log", { ...EXAMPLE_SIDECAR_OPTIONS, adminPort: 15000, probes: { port: 15021, routes: [] } }],
];

const PROBE_ROUTES = "static_resources.listeners[1].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes";

function problems(bootstrap: unknown): string[] {
  return [...validateProtoJson(root, BOOTSTRAP_TYPE, bootstrap), ...lintSidecarEnvoyConfig(bootstrap)].map(
    (i) => `${i.path}: ${i.message}`,
  );
}

describe("injected Envoy modes", () => {
  it.each(MODES)("%s: valid and lint-clean", (_name, options) => {
    expect(checkSidecarOptions(options)).toEqual([]);
    expect(problems(renderSidecarBootstrap(options))).toEqual([]);
  });

  it("mTLS keeps SANITIZE_SET and the peer certificate in every check", () => {
    const b = renderSidecarBootstrap(MODES[2]![1]);
    expect(getAt(b, "static_resources.listeners[0].filter_chains[0].transport_socket.typed_config.require_client_certificate")).toBe(true);
    expect(getAt(b, "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.forward_client_cert_details")).toBe(
      "SANITIZE_SET",
    );
    expect(
      getAt(
        b,
        "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.include_peer_certificate",
      ),
    ).toBe(true);
    // kubelet has no client certificate: the probe listener is plain.
    expect(getAt(b, "static_resources.listeners[1].filter_chains[0].transport_socket")).toBeUndefined();
  });

  it("streams access logs to modelgate's socket cluster", () => {
    const b = renderSidecarBootstrap(INJECTED);
    expect(
      getAt(
        b,
        "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.access_log[0].typed_config.common_config.grpc_service",
      ),
    ).toEqual({ envoy_grpc: { cluster_name: "modelgate_authz" } });
  });

  it("probe routes: GET on the exact path, to the model's own path", () => {
    const routes = getAt(renderSidecarBootstrap(INJECTED), PROBE_ROUTES) as { match: unknown; route?: { prefix_rewrite: string } }[];
    expect(routes.slice(1).map((r) => [r.match, r.route?.prefix_rewrite])).toEqual([
      [{ path: "/modelgate-probe/readiness", headers: [{ name: ":method", string_match: { exact: "GET" } }] }, "/v2/health/ready"],
      [{ path: "/modelgate-probe/liveness", headers: [{ name: ":method", string_match: { exact: "GET" } }] }, "/healthz?full=1"],
    ]);
  });

  it.each([
    ["a prefix match", `${PROBE_ROUTES}[1].match`, { prefix: "/modelgate-probe/" }],
    ["a path outside the probe prefix", `${PROBE_ROUTES}[1].match.path`, "/v2/health/ready"],
    ["any method", `${PROBE_ROUTES}[1].match.headers`, []],
    ["POST", `${PROBE_ROUTES}[1].match.headers[0].string_match.exact`, "POST"],
    ["no rewrite (the client's path reaches the model)", `${PROBE_ROUTES}[1].route.prefix_rewrite`, undefined],
  ])("the lint refuses an authz-free probe route with %s", (_name, path, value) => {
    const b = structuredClone(renderSidecarBootstrap(INJECTED)) as Record<string, unknown>;
    setAt(b, path, value);
    expect(problems(b).join("\n")).toContain("ext_authz is disabled on a route that forwards to a cluster");
  });

  it("refuses probe paths outside the prefix and a probe port equal to another", () => {
    expect(
      checkSidecarOptions({ ...INJECTED, probes: { port: 15021, routes: [{ name: "x", path: "/ready", modelPath: "/ready" }] } }).map(
        (i) => i.path,
      ),
    ).toEqual(["probes.routes[0].path"]);
    expect(checkSidecarOptions({ ...INJECTED, probes: { port: 8443, routes: [] } }).map((i) => i.path)).toEqual(["listenPort"]);
  });
});
