// Test builders for the request layer: CheckRequest objects shaped as @grpc/proto-loader decodes
// them (keepCase, longs as strings, oneof discriminators), and NormalizedRequest values.
import type { NormalizedRequest } from "../../../src/core/request/normalized-request.ts";

type Plain = Record<string, unknown>;

export interface CheckRequestParts {
  readonly http?: Plain; // merged over the default http request
  readonly headers?: Record<string, string>; // merged over the default headers
  readonly attributes?: Plain; // merged over the default attributes
}

export const DEFAULT_HEADERS: Readonly<Record<string, string>> = {
  ":authority": "models.example",
  ":method": "POST",
  ":path": "/v1/models/m:predict",
  ":scheme": "https",
  "content-type": "application/json",
  "x-request-id": "req-1",
  "user-agent": "curl/8.5",
};

export function checkRequest(parts: CheckRequestParts = {}): Plain {
  return {
    attributes: {
      source: {
        address: {
          socket_address: { address: "10.1.2.3", port_value: 51234, port_specifier: "port_value" },
          address: "socket_address",
        },
        principal: "spiffe://cluster.local/ns/batch/sa/scorer",
      },
      destination: {
        address: { socket_address: { address: "10.1.2.4", port_value: 8443, port_specifier: "port_value" }, address: "socket_address" },
      },
      request: {
        time: { seconds: "1700000000", nanos: 5000 },
        http: {
          id: "9184532158716350316",
          method: "POST",
          headers: { ...DEFAULT_HEADERS, ...parts.headers },
          path: "/v1/models/m:predict",
          host: "models.example",
          scheme: "https",
          protocol: "HTTP/2",
          ...parts.http,
        },
      },
      context_extensions: { virtual_host: "models" },
      ...parts.attributes,
    },
  };
}

export function request(overrides: Partial<NormalizedRequest> = {}): NormalizedRequest {
  return {
    id: "req-1",
    method: "POST",
    path: "/",
    rawPath: "/",
    query: new Map(),
    host: "models.example",
    scheme: "https",
    protocol: "HTTP/2",
    headers: new Map(),
    peer: { address: "10.1.2.3:51234", principal: "", certificate: "" },
    body: undefined,
    contextExtensions: new Map(),
    receivedAt: 0,
    ...overrides,
  };
}

// A request whose body is `json` (stringified when not already a string) with a JSON content-type.
export function jsonRequest(method: string, path: string, json: unknown, extra: Partial<NormalizedRequest> = {}): NormalizedRequest {
  const text = typeof json === "string" ? json : JSON.stringify(json);
  return request({
    method,
    path,
    rawPath: path,
    headers: new Map([["content-type", "application/json"]]),
    body: { bytes: new TextEncoder().encode(text), partial: false },
    ...extra,
  });
}
