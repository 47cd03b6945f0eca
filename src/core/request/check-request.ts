// The decoded envoy.service.auth.v3.CheckRequest as @grpc/proto-loader hands it to a handler
// with { keepCase: true, longs: String, enums: String, defaults: false, oneofs: true } and bytes
// as Buffer (a Uint8Array). Every field is optional: with `defaults: false` proto3 zero values
// are simply absent, and a malformed or fuzzed request may lack anything. These types document
// the wire shape only; normalize-request.ts checks each field before trusting it.

export interface CheckRequestMessage {
  readonly attributes?: AttributeContextMessage;
}

export interface AttributeContextMessage {
  readonly source?: PeerMessage;
  readonly destination?: PeerMessage;
  readonly request?: RequestMessage;
  readonly context_extensions?: Readonly<Record<string, string>>;
  readonly metadata_context?: unknown;
  readonly route_metadata_context?: unknown;
  readonly tls_session?: { readonly sni?: string };
}

export interface PeerMessage {
  readonly address?: AddressMessage;
  readonly service?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly principal?: string; // first URI SAN, else DNS SAN, else Subject; only over TLS
  readonly certificate?: string; // URL-encoded PEM of the peer leaf (include_peer_certificate)
}

// oneof `address`: with `oneofs: true` the virtual field `address` names the member that is set.
export interface AddressMessage {
  readonly socket_address?: SocketAddressMessage;
  readonly pipe?: { readonly path?: string; readonly mode?: number };
  readonly envoy_internal_address?: unknown;
  readonly address?: "socket_address" | "pipe" | "envoy_internal_address";
}

export interface SocketAddressMessage {
  readonly protocol?: string; // enum as string: "TCP" | "UDP"
  readonly address?: string;
  readonly port_value?: number;
  readonly named_port?: string;
  readonly resolver_name?: string;
  readonly ipv4_compat?: boolean;
  readonly port_specifier?: "port_value" | "named_port";
}

export interface RequestMessage {
  readonly time?: TimestampMessage; // stream start time
  readonly http?: HttpRequestMessage;
}

export interface TimestampMessage {
  readonly seconds?: string; // int64 as a decimal string (longs: String)
  readonly nanos?: number;
}

export interface HttpRequestMessage {
  readonly id?: string; // Envoy's stream id, not x-request-id
  readonly method?: string;
  // Lower-case names, pseudo-headers included, duplicates joined with ",".
  readonly headers?: Readonly<Record<string, string>>;
  // Sent instead of `headers` when the filter sets encode_raw_headers: one entry per header line.
  readonly header_map?: HeaderMapMessage;
  readonly path?: string; // :path, query included, not decoded
  readonly host?: string;
  readonly scheme?: string;
  readonly query?: string; // always empty from Envoy
  readonly fragment?: string; // always empty from Envoy
  readonly size?: string; // int64 as a decimal string
  readonly protocol?: string; // "HTTP/1.1", "HTTP/2", ...
  readonly body?: string; // UTF-8 sanitised copy of the buffered body
  readonly raw_body?: Uint8Array; // with pack_as_bytes: true
}

export interface HeaderMapMessage {
  readonly headers?: readonly HeaderValueMessage[];
}

export interface HeaderValueMessage {
  readonly key?: string;
  readonly value?: string;
  readonly raw_value?: Uint8Array;
}
