import { describe, expect, it } from "vitest";
import { lintSidecarEnvoyConfig } from "../../src/envoy-config/sidecar-lint.ts";
import { renderSidecarBootstrap } from "../../src/envoy-config/render-sidecar.ts";
import { EXAMPLE_SIDECAR_OPTIONS } from "../../src/envoy-config/example-yaml.ts";
import { getAt, removeAt, setAt } from "./helpers/json-patch-path.ts";

// Lint rules beyond the one-mistake fixtures: equivalent spellings pass, and the less common
// shapes (buffer filter, per-vhost settings, several listeners) are judged correctly.

const HCM = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config";
const AUTHZ = `${HCM}.http_filters[0].typed_config`;
const VHOST = `${HCM}.route_config.virtual_hosts[0]`;

function edited(edit: (doc: unknown) => void): unknown {
  const doc = structuredClone(renderSidecarBootstrap(EXAMPLE_SIDECAR_OPTIONS));
  edit(doc);
  return doc;
}

function messages(doc: unknown): string[] {
  return lintSidecarEnvoyConfig(doc).map((i) => `${i.path}: ${i.message}`);
}

describe("lintSidecarEnvoyConfig", () => {
  it.each([
    [
      "enums by number",
      (d: unknown) => {
        setAt(d, `${AUTHZ}.status_on_error.code`, 503);
        setAt(d, `${AUTHZ}.transport_api_version`, 2);
        setAt(d, `${HCM}.forward_client_cert_details`, 3);
        setAt(d, `${HCM}.path_with_escaped_slashes_action`, 2);
      },
    ],
    [
      "enums in lower case",
      (d: unknown) => {
        setAt(d, `${HCM}.forward_client_cert_details`, "sanitize_set");
        setAt(d, `${AUTHZ}.transport_api_version`, "v3");
      },
    ],
    ["SANITIZE instead of SANITIZE_SET", (d: unknown) => setAt(d, `${HCM}.forward_client_cert_details`, "SANITIZE")],
    ["forward_client_cert_details left at its default (SANITIZE)", (d: unknown) => removeAt(d, `${HCM}.forward_client_cert_details`)],
    [
      "the model server on a Unix socket",
      (d: unknown) =>
        setAt(d, "static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address", {
          pipe: { path: "/run/model.sock" },
        }),
    ],
    [
      "a buffer filter ahead of ext_authz covering a large body",
      (d: unknown) => {
        setAt(d, `${AUTHZ}.with_request_body.max_request_bytes`, 8388608);
        const filters = getAt(d, `${HCM}.http_filters`) as unknown[];
        filters.unshift({
          name: "envoy.filters.http.buffer",
          typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer", max_request_bytes: 8388608 },
        });
      },
    ],
    [
      "a vhost-level disable that the forwarding route re-enables",
      (d: unknown) => {
        setAt(d, `${VHOST}.typed_per_filter_config`, getAt(d, `${VHOST}.routes[0].typed_per_filter_config`));
        setAt(d, `${VHOST}.routes[1].typed_per_filter_config`, {
          "envoy.filters.http.ext_authz": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute",
            check_settings: {},
          },
        });
      },
    ],
  ])("accepts %s", (_name, edit) => {
    expect(messages(edited(edit))).toEqual([]);
  });

  it.each([
    [
      "a vhost-level disable over the model route",
      (d: unknown) => setAt(d, `${VHOST}.typed_per_filter_config`, getAt(d, `${VHOST}.routes[0].typed_per_filter_config`)),
      `${VHOST}.routes[1]: ext_authz is disabled`,
    ],
    [
      "a buffer filter too small for the body",
      (d: unknown) => {
        setAt(d, `${AUTHZ}.with_request_body.max_request_bytes`, 8388608);
        (getAt(d, `${HCM}.http_filters`) as unknown[]).unshift({
          name: "envoy.filters.http.buffer",
          typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer", max_request_bytes: 1024 },
        });
      },
      "max_request_bytes 8388608 exceeds",
    ],
    [
      "google_grpc instead of an Envoy cluster",
      (d: unknown) => setAt(d, `${AUTHZ}.grpc_service`, { google_grpc: { target_uri: "unix:/s", stat_prefix: "authz" }, timeout: "0.25s" }),
      "must use envoy_grpc.cluster_name",
    ],
    [
      "http_service instead of grpc_service",
      (d: unknown) => {
        removeAt(d, `${AUTHZ}.grpc_service`);
        setAt(d, `${AUTHZ}.http_service`, { server_uri: { uri: "http://127.0.0.1:9002", cluster: "modelgate_authz", timeout: "0.25s" } });
      },
      "must use grpc_service",
    ],
    [
      "an undefined authz cluster",
      (d: unknown) => setAt(d, `${AUTHZ}.grpc_service.envoy_grpc.cluster_name`, "authz"),
      `${AUTHZ}.grpc_service.envoy_grpc.cluster_name: cluster "authz" is not defined`,
    ],
    [
      "a filter after the router",
      (d: unknown) => (getAt(d, `${HCM}.http_filters`) as unknown[]).push({ name: "envoy.filters.http.buffer" }),
      "router must be the last HTTP filter",
    ],
    ["no router", (d: unknown) => removeAt(d, `${HCM}.http_filters[1]`), "no router filter"],
    ["no ext_authz", (d: unknown) => removeAt(d, `${HCM}.http_filters[0]`), "no ext_authz filter"],
    [
      "routes from RDS",
      (d: unknown) => {
        removeAt(d, `${HCM}.route_config`);
        setAt(d, `${HCM}.rds`, { route_config_name: "r", config_source: { ads: {} } });
      },
      "routes must be static",
    ],
    [
      "a route that takes its cluster from a header",
      (d: unknown) => setAt(d, `${VHOST}.routes[1].route`, { cluster_header: "x-cluster" }),
      "must name its cluster(s) statically",
    ],
    ["a zero timeout", (d: unknown) => setAt(d, `${AUTHZ}.grpc_service.timeout`, "0s"), "greater than 0 and at most 1s"],
  ])("rejects %s", (_name, edit, expected) => {
    const found = messages(edited(edit));
    expect(found, found.join("\n")).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it("lints every listener's connection manager", () => {
    const doc = edited((d) => {
      const listeners = getAt(d, "static_resources.listeners") as unknown[];
      const second = structuredClone(listeners[0]) as Record<string, unknown>;
      second["name"] = "second";
      listeners.push(second);
      setAt(
        d,
        "static_resources.listeners[1].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.failure_mode_allow",
        true,
      );
    });
    expect(lintSidecarEnvoyConfig(doc).map((i) => i.path)).toEqual([
      "static_resources.listeners[1].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.failure_mode_allow",
    ]);
  });

  it.each([
    null,
    undefined,
    7,
    "bootstrap",
    [],
    {},
    { static_resources: { listeners: "x" } },
    { static_resources: { listeners: [{ filter_chains: [{ filters: [null, 1] }] }] } },
  ])("reports a missing connection manager for %j without throwing", (value) => {
    expect(lintSidecarEnvoyConfig(value).map((i) => i.message)).toEqual([
      "no listener with an http_connection_manager: nothing would enforce ext_authz",
    ]);
  });
});
