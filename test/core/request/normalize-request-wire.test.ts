// The decoded shape normalize-request.ts expects, produced by the real decoder: a CheckRequest is
// serialised and deserialised through @grpc/proto-loader with the options check-request.ts names.
import { describe, expect, it } from "vitest";
import { normalizeRequest } from "../../../src/core/request/normalize-request.ts";
import { loadCheckCodec, overTheWire } from "./check-codec.ts";

describe("normalizeRequest over a proto-loader decoded CheckRequest", () => {
  const codec = loadCheckCodec();
  const roundTrip = (message: unknown): unknown => overTheWire(codec, message);

  it("reads every field Envoy fills", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const decoded = roundTrip({
      attributes: {
        source: {
          address: { socket_address: { address: "2001:db8::7", port_value: 40000 } },
          principal: "spiffe://cluster.local/ns/batch/sa/scorer",
          certificate: encodeURIComponent(pem),
        },
        request: {
          time: { seconds: "1700000000", nanos: 1 },
          http: {
            id: "42",
            method: "POST",
            headers: {
              ":authority": "Models.Example.:443",
              ":method": "POST",
              ":path": "/v2/models/m%3Ax/infer?a=1",
              "content-type": "application/json",
              "x-envoy-auth-partial-body": "false",
            },
            path: "/v2/models/m%3Ax/infer?a=1",
            host: "Models.Example.:443",
            scheme: "https",
            protocol: "HTTP/2",
            size: "13",
            raw_body: Buffer.from('{"inputs":[]}'),
          },
        },
        context_extensions: { route: "infer" },
      },
    });
    const result = normalizeRequest(decoded, 7);
    expect(result.ok).toBe(true);
    if (!result.ok) {
      return;
    }
    const req = result.value;
    expect(req).toMatchObject({ id: "42", method: "POST", path: "/v2/models/m:x/infer", host: "models.example", scheme: "https" });
    expect(req.peer).toEqual({ address: "[2001:db8::7]:40000", principal: "spiffe://cluster.local/ns/batch/sa/scorer", certificate: pem });
    expect(new TextDecoder().decode(req.body?.bytes)).toBe('{"inputs":[]}');
    expect(Object.fromEntries(req.contextExtensions)).toEqual({ route: "infer" });
  });

  it("reads header_map raw values and a pipe peer", () => {
    const decoded = roundTrip({
      attributes: {
        source: { address: { pipe: { path: "/var/run/envoy.sock" } } },
        request: {
          http: {
            method: "GET",
            path: "/v2/health/ready",
            header_map: {
              headers: [
                { key: ":authority", raw_value: Buffer.from("models.example") },
                { key: "x-tenant", raw_value: Buffer.from("blue") },
                { key: "x-tenant", raw_value: Buffer.from("red") },
              ],
            },
          },
        },
      },
    });
    const result = normalizeRequest(decoded, 7);
    expect(result.ok && [result.value.peer.address, result.value.headers.get("x-tenant")]).toEqual(["/var/run/envoy.sock", "blue,red"]);
  });

  it("reports a request without http attributes", () => {
    const result = normalizeRequest(roundTrip({ attributes: { request: { time: { seconds: "1" } } } }), 7);
    expect(result.ok ? undefined : result.error).toEqual({ reason: "request_malformed", detail: "missing attributes.request.http" });
  });
});
