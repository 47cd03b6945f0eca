import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Issue } from "../../src/core/result.ts";
import { loadEnvoyValidationRoot } from "../../src/envoy-config/envoy-validation-root.ts";
import { BOOTSTRAP_TYPE } from "../../src/envoy-config/envoy-names.ts";
import { validateProtoJson } from "../../src/envoy-config/proto-json-validator.ts";
import { lintSidecarEnvoyConfig } from "../../src/envoy-config/sidecar-lint.ts";
import { loadInvalidFixture } from "./helpers/invalid-fixture.ts";

// One fixture per mistake; each must produce exactly the issues listed: [where, path suffix, message part].

const root = loadEnvoyValidationRoot();
const dir = join(import.meta.dirname, "fixtures", "invalid");

const HCM = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config";
const AUTHZ = `${HCM}.http_filters[0].typed_config`;
const MODEL_ENDPOINT = "static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address";
const AUTHZ_ENDPOINT = "static_resources.clusters[1].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address";

type Expected = readonly [source: "schema" | "lint", path: string, message: string];

const CASES: Readonly<Record<string, readonly Expected[]>> = {
  "unknown-field-in-listener.yaml": [
    ["schema", "static_resources.listeners[0].per_conection_buffer_limit_bytes", 'did you mean "per_connection_buffer_limit_bytes"'],
  ],
  "duration-as-number.yaml": [
    ["schema", `${AUTHZ}.grpc_service.timeout`, 'with an "s" suffix'],
    ["lint", `${AUTHZ}.grpc_service.timeout`, 'with an "s" suffix'],
  ],
  "failure-mode-allow-true.yaml": [["lint", `${AUTHZ}.failure_mode_allow`, "must not be true"]],
  "status-on-error-403.yaml": [["lint", `${AUTHZ}.status_on_error`, "ServiceUnavailable"]],
  "two-oneof-members.yaml": [["schema", "static_resources.listeners[0].address.socket_address", "oneof port_specifier"]],
  "unknown-any-type.yaml": [
    [
      "schema",
      'transport_socket.typed_config["@type"]',
      'unknown @type "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContex"',
    ],
  ],
  "router-before-ext-authz.yaml": [["lint", `${HCM}.http_filters[0]`, "router comes before ext_authz"]],
  "authz-cluster-http1.yaml": [["lint", "static_resources.clusters[1]", "must use HTTP/2"]],
  "xfcc-forward-only.yaml": [["lint", `${HCM}.forward_client_cert_details`, "SANITIZE_SET"]],
  "model-cluster-not-loopback.yaml": [["lint", MODEL_ENDPOINT, 'model-server ("model") cluster must point at 127.0.0.1 or a pipe']],
  "authz-cluster-remote.yaml": [["lint", AUTHZ_ENDPOINT, "must point at 127.0.0.1 or a pipe"]],
  "authz-timeout-too-long.yaml": [["lint", `${AUTHZ}.grpc_service.timeout`, "at most 1s, got 5s"]],
  "authz-timeout-missing.yaml": [["lint", `${AUTHZ}.grpc_service.timeout`, "must be set explicitly"]],
  "ext-authz-disabled-on-model-route.yaml": [
    ["lint", `${HCM}.route_config.virtual_hosts[0].routes[1]`, "ext_authz is disabled on a route that forwards"],
  ],
  "request-body-missing.yaml": [["lint", `${AUTHZ}.with_request_body`, "with_request_body is required"]],
  "max-request-bytes-over-buffer.yaml": [["lint", `${AUTHZ}.with_request_body.max_request_bytes`, "exceeds the listener's buffer limit"]],
  "peer-certificate-not-included.yaml": [["lint", `${AUTHZ}.include_peer_certificate`, "must be true"]],
  "admin-on-all-interfaces.yaml": [["lint", "admin.address.socket_address.address", "must listen on 127.0.0.1"]],
  "unknown-enum-name.yaml": [["schema", `${HCM}.codec_type`, 'unknown CodecType value "HTTP4"']],
  "cluster-name-missing.yaml": [
    ["schema", "static_resources.clusters[0].name", "must not be empty"],
    ["lint", `${HCM}.route_config.virtual_hosts[0].routes[1].route`, 'cluster "model" is not defined'],
  ],
  "deprecated-cluster-http2-options.yaml": [
    ["schema", "static_resources.clusters[1].http2_protocol_options", "deprecated"],
    ["lint", "static_resources.clusters[1]", "cluster-level http2_protocol_options field is deprecated"],
  ],
  "wrapper-as-object.yaml": [["schema", `${HCM}.use_remote_address`, "bare bool"]],
  "port-out-of-range.yaml": [["schema", `${MODEL_ENDPOINT}.socket_address.port_value`, "must be ≤ 65535"]],
  "clear-route-cache-true.yaml": [["lint", `${AUTHZ}.clear_route_cache`, "must not be true"]],
  "path-not-normalized.yaml": [["lint", `${HCM}.normalize_path`, "normalize_path must be true"]],
};

function issuesOf(doc: unknown): (readonly [string, Issue])[] {
  return [
    ...validateProtoJson(root, BOOTSTRAP_TYPE, doc).map((i) => ["schema", i] as const),
    ...lintSidecarEnvoyConfig(doc).map((i) => ["lint", i] as const),
  ];
}

describe("invalid sidecar configs", () => {
  it("has a table row for every fixture file and a fixture for every row", () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(CASES).sort());
  });

  it.each(Object.entries(CASES))("%s", (file, expected) => {
    const found = issuesOf(loadInvalidFixture(join(dir, file)));
    expect(found.map(([source, i]) => `${source} ${i.path}: ${i.message}`)).toHaveLength(expected.length);
    expected.forEach(([source, path, message], n) => {
      const [foundSource, issue] = found[n] ?? ["none", { path: "", message: "" }];
      expect(foundSource).toBe(source);
      expect(issue.path.endsWith(path), `${issue.path} ends with ${path}`).toBe(true);
      expect(issue.message).toContain(message);
    });
  });
});
