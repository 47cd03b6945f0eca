// Builds a CheckRequest the way Envoy's ext_authz filter fills one (see
// reference/envoy-extauthz.md §1.1): lower-case header keys including the pseudo-headers,
// :path with its raw query, x-request-id from the HCM, the downstream socket address, and
// the body only when with_request_body is configured. Used by `modelgate check` and the tests.

export interface HttpRequestSpec {
  readonly method: string;
  readonly path: string;
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  readonly partialBody?: boolean;
  readonly sourceAddress?: string;
  readonly sourcePort?: number;
  readonly principal?: string;
  readonly certificate?: string; // PEM of the peer leaf, as include_peer_certificate sends it
  readonly requestId?: string;
}

export function buildCheckRequest(spec: HttpRequestSpec): Record<string, unknown> {
  const host = spec.host ?? "model.example.com";
  const requestId = spec.requestId ?? "00000000-0000-4000-8000-000000000000";
  const headers: Record<string, string> = {
    ":authority": host,
    ":method": spec.method,
    ":path": spec.path,
    ":scheme": "http",
    "x-forwarded-proto": "http",
    "x-request-id": requestId,
  };
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k.toLowerCase()] = v;
  const http: Record<string, unknown> = {
    id: "12345",
    method: spec.method,
    headers,
    path: spec.path,
    host,
    scheme: "http",
    protocol: "HTTP/1.1",
  };
  if (spec.body !== undefined) {
    const bytes = typeof spec.body === "string" ? new TextEncoder().encode(spec.body) : spec.body;
    http["raw_body"] = Buffer.from(bytes);
    http["size"] = String(bytes.byteLength);
    headers["content-length"] = String(bytes.byteLength);
    headers["x-envoy-auth-partial-body"] = spec.partialBody === true ? "true" : "false";
  }
  return {
    attributes: {
      source: {
        address: { socket_address: { address: spec.sourceAddress ?? "10.0.0.7", port_value: spec.sourcePort ?? 51234 } },
        ...(spec.principal === undefined ? {} : { principal: spec.principal }),
        ...(spec.certificate === undefined ? {} : { certificate: encodeURIComponent(spec.certificate) }),
      },
      destination: { address: { socket_address: { address: "10.0.0.9", port_value: 8080 } } },
      request: { time: { seconds: "1764000000", nanos: 0 }, http },
    },
  };
}
