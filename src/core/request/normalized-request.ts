// The plain, immutable request every later pipeline step reads. Built once by normalize-request.ts,
// the only module that knows how Envoy fills a CheckRequest.

export interface Peer {
  readonly address: string;
  // Envoy's source.principal: first URI SAN, else DNS SAN, else Subject. Empty when not mTLS.
  readonly principal: string;
  // URL-decoded PEM of the peer leaf certificate when Envoy's include_peer_certificate is on.
  readonly certificate: string;
}

export interface RequestBody {
  readonly bytes: Uint8Array;
  // Envoy sets x-envoy-auth-partial-body: true when it cut the body at max_request_bytes.
  readonly partial: boolean;
}

export interface NormalizedRequest {
  readonly id: string; // x-request-id, or Envoy's stream id when absent
  readonly method: string; // upper case
  readonly path: string; // canonical path, no query
  readonly rawPath: string; // :path as Envoy sent it, for logs only, never for matching
  readonly query: ReadonlyMap<string, readonly string[]>;
  readonly host: string; // lower case, no port, no trailing dot
  readonly scheme: string;
  readonly protocol: string;
  readonly headers: ReadonlyMap<string, string>; // lower-cased names; pseudo-headers removed
  readonly peer: Peer;
  readonly body: RequestBody | undefined; // undefined when Envoy sent none
  readonly contextExtensions: ReadonlyMap<string, string>;
  readonly receivedAt: number; // epoch milliseconds, from the injected clock
}
