import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { loadEnvoyValidationRoot } from "../../src/envoy-config/envoy-validation-root.ts";
import { validateProtoJson } from "../../src/envoy-config/proto-json-validator.ts";
import { jsonNameOf } from "../../src/envoy-config/proto-json-names.ts";

// proto3 JSON mapping rules, one table per rule family: [case, type, value, expected issues as
// "path: message part"]. An empty list means the value is valid.

const root = loadEnvoyValidationRoot();

type Row = readonly [name: string, type: string, value: unknown, expected: readonly string[]];

function check(type: string, value: unknown): string[] {
  return validateProtoJson(root, type, value).map((i) => `${i.path}: ${i.message}`);
}

// An expected entry may name several parts of one issue, separated by " … ".
function expectIssues(found: readonly string[], expected: readonly string[]): void {
  expect(found, found.join("\n")).toHaveLength(expected.length);
  expected.forEach((entry, n) => {
    for (const part of entry.split(" … ")) expect(found[n]).toContain(part);
  });
}

const ADDRESS = "envoy.config.core.v3.SocketAddress";
const GRPC = "envoy.config.core.v3.GrpcService";
const THRESHOLDS = "envoy.config.cluster.v3.CircuitBreakers.Thresholds";

const FIELD_NAMES: readonly Row[] = [
  ["snake_case proto names", ADDRESS, { address: "127.0.0.1", port_value: 80, ipv4_compat: true }, []],
  ["lowerCamelCase JSON names", ADDRESS, { address: "127.0.0.1", portValue: 80, ipv4Compat: true }, []],
  [
    "an unknown field, with a suggestion",
    ADDRESS,
    { address: "127.0.0.1", named_port: "http", port: 80 },
    ['port: unknown field "port" in envoy.config.core.v3.SocketAddress (did you mean "port_value"?)'],
  ],
  ["an unknown field, no near name", ADDRESS, { address: "127.0.0.1", port_value: 1, zzz_qqq: 1 }, ['zzz_qqq: unknown field "zzz_qqq"']],
  [
    "both spellings of one field",
    ADDRESS,
    { address: "a", port_value: 1, portValue: 2 },
    ['portValue: "portValue" sets the same field as "port_value"'],
  ],
  ["null leaves a field at its default", ADDRESS, { address: "a", port_value: 1, ipv4_compat: null }, []],
  [
    "a message given a string",
    "envoy.config.core.v3.Address",
    { socket_address: "127.0.0.1:80" },
    ["socket_address: envoy.config.core.v3.SocketAddress must be an object"],
  ],
  ["an unknown message type", "envoy.config.core.v3.Nope", {}, [": unknown message type envoy.config.core.v3.Nope"]],
];

const SCALARS: readonly Row[] = [
  ["uint32 as a number", ADDRESS, { address: "a", port_value: 8080 }, []],
  ["uint32 as a decimal string", ADDRESS, { address: "a", port_value: "8080" }, []],
  ["uint32 negative", ADDRESS, { address: "a", port_value: -1 }, ["port_value: -1 is out of range for uint32"]],
  ["uint32 fractional", ADDRESS, { address: "a", port_value: 80.5 }, ["port_value: uint32 must be an integer"]],
  ["uint32 as a non-numeric string", ADDRESS, { address: "a", port_value: "80a" }, ["port_value: uint32 must be an integer"]],
  ["int64 as a string beyond 2^53", "envoy.type.v3.Int64Range", { start: "-9223372036854775808", end: "9223372036854775807" }, []],
  [
    "int64 beyond its range",
    "envoy.type.v3.Int64Range",
    { start: "9223372036854775808" },
    ["start: 9223372036854775808 is out of range for int64"],
  ],
  ["uint64 as a number", "envoy.config.bootstrap.v3.MemoryAllocatorManager", { bytes_to_release: 1048576 }, []],
  [
    "uint64 negative",
    "envoy.config.bootstrap.v3.MemoryAllocatorManager",
    { bytes_to_release: "-1" },
    ["bytes_to_release: -1 is out of range for uint64"],
  ],
  ["bool", ADDRESS, { address: "a", port_value: 1, ipv4_compat: true }, []],
  ["bool as a string", ADDRESS, { address: "a", port_value: 1, ipv4_compat: "true" }, ["ipv4_compat: bool must be true or false"]],
  ["string given a number", ADDRESS, { address: 127, port_value: 1 }, ["address: string expected"]],
  ["double as a number", "envoy.type.v3.Percent", { value: 12.5 }, []],
  ["double as a numeric string (how Envoy's YAML loader passes floats)", "envoy.type.v3.Percent", { value: "12.5" }, []],
  ["double as a word", "envoy.type.v3.Percent", { value: "half" }, ["value: double must be a number"]],
  ["float NaN/Infinity strings", "validate.FloatRules", { lt: "Infinity", gt: "-Infinity", const: "NaN" }, []],
  ["float beyond its range", "validate.FloatRules", { lt: 1e39 }, ["lt: 1e+39 is out of range for float"]],
  ["bytes as base64", "envoy.config.core.v3.DataSource", { inline_bytes: "aGVsbG8=" }, []],
  ["bytes as URL-safe base64 without padding", "envoy.config.core.v3.DataSource", { inline_bytes: "_-8" }, []],
  [
    "bytes not base64",
    "envoy.config.core.v3.DataSource",
    { inline_bytes: "hello world!" },
    ["inline_bytes: bytes must be a base64 string"],
  ],
];

const ENUMS: readonly Row[] = [
  ["by name", ADDRESS, { address: "a", port_value: 1, protocol: "UDP" }, []],
  ["by lower-case name (Envoy parses enums case-insensitively upward)", ADDRESS, { address: "a", port_value: 1, protocol: "udp" }, []],
  ["by number", ADDRESS, { address: "a", port_value: 1, protocol: 1 }, []],
  [
    "an unknown name",
    ADDRESS,
    { address: "a", port_value: 1, protocol: "SCTP" },
    ['protocol: unknown Protocol value "SCTP"; expected one of TCP, UDP'],
  ],
  [
    "an undeclared number where the field is defined_only",
    ADDRESS,
    { address: "a", port_value: 1, protocol: 7 },
    ["protocol: 7 is not a defined Protocol value"],
  ],
  ["a bool", ADDRESS, { address: "a", port_value: 1, protocol: true }, ["protocol: Protocol must be a value name"]],
  [
    "a deprecated value",
    "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz",
    { transport_api_version: "V2", grpc_service: { envoy_grpc: { cluster_name: "c" } } },
    ["transport_api_version: ApiVersion value V2 is deprecated"],
  ],
];

const DURATIONS: readonly Row[] = [
  ...["1s", "0.25s", "0.250s", "300s", "1.000000001s", "-1.5s", "0s"].map((d): Row => [
    `"${d}"`,
    GRPC,
    { envoy_grpc: { cluster_name: "c" }, timeout: d },
    [],
  ]),
  ...(
    [
      ["a number", 1],
      ["a bare number string", "1"],
      ["minutes", "1m"],
      ["milliseconds", "250ms"],
      ["ten fraction digits", "1.0000000001s"],
      ["a space", "1 s"],
      ["ISO 8601", "PT1S"],
      ["an object", { seconds: 1 }],
    ] as const
  ).map(([name, d]): Row => [
    `invalid: ${name}`,
    GRPC,
    { envoy_grpc: { cluster_name: "c" }, timeout: d },
    ['timeout: … with an "s" suffix'],
  ]),
  ["beyond ±10000 years", GRPC, { envoy_grpc: { cluster_name: "c" }, timeout: "315576000001s" }, ["timeout: … out of range"]],
];

const WELL_KNOWN: readonly Row[] = [
  ["UInt32Value as a bare number", THRESHOLDS, { max_requests: 4096 }, []],
  ["UInt32Value as a decimal string", THRESHOLDS, { max_requests: "4096" }, []],
  [
    "UInt32Value as an object",
    THRESHOLDS,
    { max_requests: { value: 4096 } },
    ["max_requests: UInt32Value is written as a bare uint32, not an object"],
  ],
  ["UInt32Value negative", THRESHOLDS, { max_requests: -1 }, ["max_requests: UInt32Value: -1 is out of range for uint32"]],
  ["BoolValue", "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext", { require_client_certificate: false }, []],
  [
    "BoolValue as a string",
    "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
    { require_client_certificate: "yes" },
    ["require_client_certificate: BoolValue: bool must be true or false"],
  ],
  ["Timestamp in RFC 3339", "envoy.data.accesslog.v3.AccessLogCommon", { start_time: "2026-01-31T12:00:00.5Z", sample_rate: 1 }, []],
  ["Timestamp with an offset", "google.protobuf.Timestamp", "2026-01-31T12:00:00+02:00", []],
  ["Timestamp as epoch seconds", "google.protobuf.Timestamp", 1767225600, [": a Timestamp is an RFC 3339 string"]],
  ["Timestamp without a zone", "google.protobuf.Timestamp", "2026-01-31T12:00:00", [": a Timestamp is an RFC 3339 string"]],
  [
    "Struct as any JSON object",
    "envoy.config.core.v3.Metadata",
    { filter_metadata: { "envoy.lb": { canary: true, weight: 2, tags: ["a", null], nested: { x: "y" } } } },
    [],
  ],
  [
    "Struct given a list",
    "envoy.config.core.v3.Metadata",
    { filter_metadata: { "envoy.lb": [1, 2] } },
    ['filter_metadata["envoy.lb"]: a Struct is a JSON object'],
  ],
  ["Value as any JSON", "google.protobuf.Value", [1, "a", { b: null }], []],
  ["ListValue as an array", "google.protobuf.ListValue", [1, "a"], []],
  ["ListValue given an object", "google.protobuf.ListValue", { a: 1 }, [": a ListValue is a JSON array"]],
  ["Empty as {}", "google.protobuf.Empty", {}, []],
  ["Empty with a field", "google.protobuf.Empty", { a: 1 }, [": an Empty is {}"]],
];

const COLLECTIONS: readonly Row[] = [
  [
    "repeated messages",
    "envoy.config.endpoint.v3.ClusterLoadAssignment",
    { cluster_name: "c", endpoints: [{ lb_endpoints: [{ endpoint: { address: { pipe: { path: "/s" } } } }] }, { lb_endpoints: [] }] },
    [],
  ],
  [
    "a repeated field given one object",
    "envoy.config.endpoint.v3.ClusterLoadAssignment",
    { cluster_name: "c", endpoints: { lb_endpoints: [] } },
    ["endpoints: endpoints is a list, got an object"],
  ],
  [
    "a null list item",
    "envoy.config.endpoint.v3.ClusterLoadAssignment",
    { cluster_name: "c", endpoints: [null] },
    ["endpoints[0]: list items cannot be null"],
  ],
  [
    "an issue inside a list item has its index",
    "envoy.config.endpoint.v3.ClusterLoadAssignment",
    { cluster_name: "c", endpoints: [{}, { lb_endpoints: [{ endpoint: { adress: {} } }] }] },
    ['endpoints[1].lb_endpoints[0].endpoint.adress: unknown field "adress"'],
  ],
  ["repeated strings", "envoy.config.route.v3.VirtualHost", { name: "v", domains: ["*", "a.example"] }, []],
  [
    "repeated strings given a number",
    "envoy.config.route.v3.VirtualHost",
    { name: "v", domains: ["*", 7] },
    ["domains[1]: string expected"],
  ],
  [
    "a map of messages",
    "envoy.config.core.v3.Metadata",
    { typed_filter_metadata: { "envoy.lb": { "@type": "type.googleapis.com/envoy.config.core.v3.Pipe", path: "/s" } } },
    [],
  ],
  [
    "a map given a list",
    "envoy.config.core.v3.Metadata",
    { filter_metadata: [] },
    ["filter_metadata: filter_metadata is a map (a JSON object), got an array"],
  ],
  [
    "a null map value",
    "envoy.config.core.v3.Metadata",
    { typed_filter_metadata: { a: null } },
    ["typed_filter_metadata.a: map values cannot be null"],
  ],
];

const ONEOFS_AND_ANY: readonly Row[] = [
  ["one oneof member", ADDRESS, { address: "a", named_port: "http" }, []],
  [
    "two oneof members",
    ADDRESS,
    { address: "a", port_value: 80, named_port: "http" },
    [": port_value and named_port are members of oneof port_specifier; set at most one"],
  ],
  ["a oneof member set to null does not count", ADDRESS, { address: "a", port_value: 80, named_port: null }, []],
  [
    "Any resolved by @type",
    "envoy.config.listener.v3.Filter",
    {
      name: "f",
      typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router", suppress_envoy_headers: true },
    },
    [],
  ],
  [
    "Any with a field its @type lacks",
    "envoy.config.listener.v3.Filter",
    { name: "f", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router", stat_prefix: "x" } },
    ['typed_config.stat_prefix: unknown field "stat_prefix" in envoy.extensions.filters.http.router.v3.Router'],
  ],
  [
    "Any with an unknown @type",
    "envoy.config.listener.v3.Filter",
    { name: "f", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.nope.v3.Nope" } },
    ['typed_config["@type"]: unknown @type "type.googleapis.com/envoy.extensions.filters.http.nope.v3.Nope"'],
  ],
  [
    "Any without @type",
    "envoy.config.listener.v3.Filter",
    { name: "f", typed_config: { suppress_envoy_headers: true } },
    ['typed_config["@type"]: "@type" is required'],
  ],
  [
    "Any with a bare type name",
    "envoy.config.listener.v3.Filter",
    { name: "f", typed_config: { "@type": "envoy.extensions.filters.http.router.v3.Router" } },
    ['is not a type URL; write "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"'],
  ],
  ["an empty Any (Envoy then picks the extension by name)", "envoy.config.listener.v3.Filter", { name: "f", typed_config: {} }, []],
  [
    'Any holding a well-known type uses "value"',
    "google.protobuf.Any",
    { "@type": "type.googleapis.com/google.protobuf.Duration", value: "1s" },
    [],
  ],
  [
    "Any holding a well-known type, bad value",
    "google.protobuf.Any",
    { "@type": "type.googleapis.com/google.protobuf.Duration", value: 1 },
    ['value: … with an "s" suffix'],
  ],
  [
    "Any nested in Any nested in Any: the path runs through all three",
    "envoy.config.listener.v3.Filter",
    {
      name: "envoy.filters.network.http_connection_manager",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        stat_prefix: "in",
        rds: { route_config_name: "r", config_source: { ads: {} } },
        http_filters: [
          {
            name: "envoy.filters.http.ext_authz",
            typed_config: {
              "@type": "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz",
              grpc_service: { envoy_grpc: { cluster_name: "c" }, timeout: "1s" },
              failure_mode_alow: false,
            },
          },
        ],
      },
    },
    [
      'typed_config.http_filters[0].typed_config.failure_mode_alow: unknown field "failure_mode_alow" in envoy.extensions.filters.http.ext_authz.v3.ExtAuthz (did you mean "failure_mode_allow"?)',
    ],
  ],
];

const DEPRECATION: readonly Row[] = [
  [
    "a deprecated field",
    "envoy.config.cluster.v3.Cluster",
    { name: "c", http2_protocol_options: {} },
    ["http2_protocol_options: http2_protocol_options is deprecated"],
  ],
];

describe("validateProtoJson", () => {
  describe.each([
    ["field names", FIELD_NAMES],
    ["scalars", SCALARS],
    ["enums", ENUMS],
    ["Duration", DURATIONS],
    ["wrappers and other well-known types", WELL_KNOWN],
    ["lists and maps", COLLECTIONS],
    ["oneofs and Any", ONEOFS_AND_ANY],
    ["deprecated fields", DEPRECATION],
  ])("%s", (_family, rows) => {
    it.each(rows)("%s", (_name, type, value, expected) => expectIssues(check(type, value), expected));
  });

  it("accepts deprecated fields when asked to", () => {
    expect(
      validateProtoJson(root, "envoy.config.cluster.v3.Cluster", { name: "c", http2_protocol_options: {} }, { allowDeprecated: true }),
    ).toEqual([]);
  });

  it("never throws, whatever the input", () => {
    const cyclic: Record<string, unknown> = { name: "c" };
    cyclic["load_assignment"] = { cluster_name: "c", endpoints: [{ metadata: { filter_metadata: { a: cyclic } } }] };
    for (const value of [undefined, null, 1, "x", [], [1], { "": 1 }, { __proto__: 1 }, cyclic, Number.NaN]) {
      expect(() => validateProtoJson(root, "envoy.config.cluster.v3.Cluster", value)).not.toThrow();
    }
  });
});

describe("field-name mapping", () => {
  it.each([
    ["port_value", "portValue"],
    ["http2_protocol_options", "http2ProtocolOptions"],
    ["ipv4_compat", "ipv4Compat"],
    ["typed_config", "typedConfig"],
    ["name", "name"],
  ])("%s ↔ %s", (proto, json) => expect(jsonNameOf(proto)).toBe(json));

  it("honours an explicit json_name and map keys of other scalar types", () => {
    const local = protobuf.parse(
      `syntax = "proto3"; package t;
      message M { string snake_name = 1 [json_name = "custom"]; map<int32, string> by_id = 2; map<bool, string> by_flag = 3; }`,
      { keepCase: true },
    ).root;
    local.resolveAll();
    expectIssues(
      validateProtoJson(local, "t.M", { custom: "a", snake_name: "b" }).map((i) => `${i.path}: ${i.message}`),
      ['snake_name: "snake_name" sets the same field as "custom"'],
    );
    expectIssues(
      validateProtoJson(local, "t.M", { byId: { "7": "a", x: "b" }, by_flag: { true: "a", yes: "b" } }).map(
        (i) => `${i.path}: ${i.message}`,
      ),
      ["byId.x: map key: int32 must be an integer", 'by_flag.yes: map key: bool map keys are "true" or "false"'],
    );
  });
});
