// Every message type a CheckRequest can carry, as field number → how to read it, taken from the
// Envoy and Google protos bundled in @grpc/grpc-js-xds (envoy.service.auth.v3, envoy.config.core.v3,
// google.protobuf). A field with `keep` is put into the decoded object under that (proto) name,
// as @grpc/proto-loader would with keepCase; the others are read only so that malformed content
// is refused exactly where the reference decode refuses it. Keep names in step with
// src/core/request/check-request.ts, which lists what the pipeline reads.

export type Scalar = "string" | "bytes" | "uint32" | "int32" | "bool" | "int64" | "double";

export interface FieldSpec {
  readonly kind: Scalar | "message" | "map" | "repeated";
  readonly keep?: string;
  // The message type of a message, of a repeated message, or of a map's values (string values when absent).
  readonly type?: () => MessageSpec;
}

export type MessageSpec = readonly (FieldSpec | undefined)[]; // indexed by field number

const spec = (fields: Record<number, FieldSpec>): MessageSpec => {
  const out: (FieldSpec | undefined)[] = [];
  for (const [number, field] of Object.entries(fields)) out[Number(number)] = field;
  return out;
};

const s = (keep?: string): FieldSpec => (keep === undefined ? { kind: "string" } : { kind: "string", keep });
const m = (type: () => MessageSpec, keep?: string): FieldSpec =>
  keep === undefined ? { kind: "message", type } : { kind: "message", type, keep };
const stringMap = (keep?: string): FieldSpec => (keep === undefined ? { kind: "map" } : { kind: "map", keep });

const ANY = spec({ 1: s(), 2: { kind: "bytes" } });
const TIMESTAMP = spec({ 1: { kind: "int64" }, 2: { kind: "int32" } });
const VALUE: MessageSpec = spec({
  1: { kind: "int32" },
  2: { kind: "double" },
  3: s(),
  4: { kind: "bool" },
  5: m(() => STRUCT),
  6: m(() => LIST_VALUE),
});
const STRUCT: MessageSpec = spec({ 1: { kind: "map", type: () => VALUE } });
const LIST_VALUE: MessageSpec = spec({ 1: { kind: "repeated", type: () => VALUE } });
const METADATA = spec({ 1: { kind: "map", type: () => STRUCT }, 2: { kind: "map", type: () => ANY } });
const TLS_SESSION = spec({ 1: s() });

const SOCKET_ADDRESS = spec({
  1: { kind: "int32" },
  2: s("address"),
  3: { kind: "uint32", keep: "port_value" },
  4: s("named_port"),
  5: s(),
  6: { kind: "bool" },
});
const PIPE = spec({ 1: s("path"), 2: { kind: "uint32" } });
const INTERNAL_ADDRESS = spec({ 1: s(), 2: s() });
const ADDRESS = spec({ 1: m(() => SOCKET_ADDRESS, "socket_address"), 2: m(() => PIPE, "pipe"), 3: m(() => INTERNAL_ADDRESS) });
const PEER = spec({ 1: m(() => ADDRESS, "address"), 2: s(), 3: stringMap(), 4: s("principal"), 5: s("certificate") });

const HEADER_VALUE = spec({ 1: s("key"), 2: s("value"), 3: { kind: "bytes", keep: "raw_value" } });
const HEADER_MAP = spec({ 1: { kind: "repeated", type: () => HEADER_VALUE, keep: "headers" } });
const HTTP_REQUEST = spec({
  1: s("id"),
  2: s("method"),
  3: stringMap("headers"),
  4: s("path"),
  5: s("host"),
  6: s("scheme"),
  7: s(),
  8: s(),
  9: { kind: "int64" },
  10: s("protocol"),
  11: s("body"),
  12: { kind: "bytes", keep: "raw_body" },
  13: m(() => HEADER_MAP, "header_map"),
});
const REQUEST = spec({ 1: m(() => TIMESTAMP), 2: m(() => HTTP_REQUEST, "http") });
const ATTRIBUTE_CONTEXT = spec({
  1: m(() => PEER, "source"),
  2: m(() => PEER),
  4: m(() => REQUEST, "request"),
  10: stringMap("context_extensions"),
  11: m(() => METADATA),
  12: m(() => TLS_SESSION),
  13: m(() => METADATA),
});

export const CHECK_REQUEST = spec({ 1: m(() => ATTRIBUTE_CONTEXT, "attributes") });
