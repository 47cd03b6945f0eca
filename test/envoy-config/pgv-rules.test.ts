import { describe, expect, it } from "vitest";
import { loadEnvoyValidationRoot } from "../../src/envoy-config/envoy-validation-root.ts";
import { validateProtoJson } from "../../src/envoy-config/proto-json-validator.ts";

// protoc-gen-validate rules from the Envoy protos, which Envoy enforces when loading a config:
// [case, type, value, expected "path: message" strings].

const root = loadEnvoyValidationRoot();

const ROWS: readonly (readonly [string, string, unknown, readonly string[]])[] = [
  ["message.required, absent", "envoy.config.route.v3.Route", { direct_response: { status: 200 } }, ["match: match is required"]],
  [
    "a required oneof left empty",
    "envoy.config.core.v3.SocketAddress",
    { address: "a" },
    [": one of port_value, named_port is required (oneof port_specifier)"],
  ],
  ["rules of oneof members apply only to the chosen one", "envoy.config.route.v3.RouteMatch", { prefix: "/" }, []],
  ["any.required", "envoy.config.core.v3.TypedExtensionConfig", { name: "x" }, ["typed_config: typed_config is required"]],
  ["string.min_len on an absent string (PGV checks proto3 defaults)", "envoy.config.cluster.v3.Cluster", {}, ["name: must not be empty"]],
  ["string.min_len on an empty string", "envoy.config.cluster.v3.Cluster", { name: "" }, ["name: must not be empty"]],
  ["uint32.lte", "envoy.config.core.v3.SocketAddress", { address: "a", port_value: 65536 }, ["port_value: must be ≤ 65535"]],
  [
    "a value that failed the schema is not checked again",
    "envoy.config.core.v3.SocketAddress",
    { address: "a", port_value: "http" },
    ["port_value: uint32 must be an integer (a JSON number or a decimal string)"],
  ],
  ["enum not_in [0] on an absent enum", "envoy.type.v3.HttpStatus", {}, ["code: must not be Empty"]],
  ["enum not_in [0], set", "envoy.type.v3.HttpStatus", { code: 503 }, []],
  ["duration.gt", "envoy.config.cluster.v3.Cluster", { name: "c", dns_refresh_rate: "0.0005s" }, ["dns_refresh_rate: must be > 0.001s"]],
  ["duration.gt, satisfied", "envoy.config.cluster.v3.Cluster", { name: "c", dns_refresh_rate: "5s" }, []],
  ["repeated.min_items on an absent list", "envoy.config.route.v3.VirtualHost", { name: "v" }, ["domains: needs at least 1 item(s)"]],
  [
    "repeated.items with a header-value regex",
    "envoy.config.route.v3.VirtualHost",
    { name: "v", domains: ["ok", "bad\nhost"] },
    ["domains[1]: is not a valid HTTP_HEADER_VALUE"],
  ],
  ["bool.const", "envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute", { disabled: false }, ["disabled: must be true"]],
  ["double bounds", "envoy.type.v3.Percent", { value: 100.5 }, ["value: must be ≥ 0 and ≤ 100"]],
  [
    "a wrapper's rule applies when it is set",
    "envoy.config.listener.v3.Listener",
    { max_connections_to_accept_per_socket_event: 0 },
    ["max_connections_to_accept_per_socket_event: must be > 0"],
  ],
  ["a wrapper's rule does not apply when it is absent", "envoy.config.listener.v3.Listener", {}, []],
  ["an HTTP header name", "envoy.config.core.v3.HeaderValue", { key: "x-model" }, []],
  ["an empty HTTP header name", "envoy.config.core.v3.HeaderValue", { key: "" }, ["key: must not be empty"]],
];

describe("protoc-gen-validate rules", () => {
  it.each(ROWS)("%s", (_name, type, value, expected) => {
    expect(validateProtoJson(root, type, value).map((i) => `${i.path}: ${i.message}`)).toEqual(expected);
  });
});
