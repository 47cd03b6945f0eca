import { describe, expect, it } from "vitest";
import type { DenyReason } from "../../../src/core/reason.ts";
import type { NormalizedRequest } from "../../../src/core/request/normalized-request.ts";
import { normalizeRequest } from "../../../src/core/request/normalize-request.ts";
import { MAX_HEADER_BYTES, MAX_HEADER_COUNT } from "../../../src/core/request/request-headers.ts";
import { checkRequest, DEFAULT_HEADERS } from "./builders.ts";

const NOW = 1_700_000_000_123;

function normalized(raw: unknown): NormalizedRequest {
  const result = normalizeRequest(raw, NOW);
  if (!result.ok) {
    throw new Error(`expected ok, got ${result.error.reason}: ${result.error.detail}`);
  }
  return result.value;
}

function denial(raw: unknown): { reason: DenyReason; detail: string } | undefined {
  const result = normalizeRequest(raw, NOW);
  return result.ok ? undefined : result.error;
}

describe("normalizeRequest: a typical Envoy request", () => {
  const req = normalized(
    checkRequest({
      http: { path: "/v1//models/./m:predict?x=1", raw_body: new TextEncoder().encode('{"a":1}') },
      headers: { ":path": "/v1//models/./m:predict?x=1", "x-envoy-auth-partial-body": "false" },
    }),
  );

  it("reads the request line", () => {
    expect(req).toMatchObject({
      id: "req-1",
      method: "POST",
      path: "/v1/models/m:predict",
      rawPath: "/v1//models/./m:predict?x=1",
      host: "models.example",
      scheme: "https",
      protocol: "HTTP/2",
      receivedAt: NOW,
    });
    expect(Object.fromEntries(req.query)).toEqual({ x: ["1"] });
  });

  it("keeps headers without pseudo-headers", () => {
    expect(Object.fromEntries(req.headers)).toEqual({
      "content-type": "application/json",
      "x-request-id": "req-1",
      "user-agent": "curl/8.5",
      "x-envoy-auth-partial-body": "false",
    });
  });

  it("reads the peer, body and context extensions", () => {
    expect(req.peer).toEqual({ address: "10.1.2.3:51234", principal: "spiffe://cluster.local/ns/batch/sa/scorer", certificate: "" });
    expect(new TextDecoder().decode(req.body?.bytes)).toBe('{"a":1}');
    expect(req.body?.partial).toBe(false);
    expect(Object.fromEntries(req.contextExtensions)).toEqual({ virtual_host: "models" });
  });

  it("is frozen", () => {
    expect(Object.isFrozen(req)).toBe(true);
    expect(Object.isFrozen(req.peer)).toBe(true);
    expect(Object.isFrozen(req.body)).toBe(true);
  });
});

describe("normalizeRequest: shape", () => {
  it.each<[string, unknown, string]>([
    ["undefined", undefined, "not a message"],
    ["null", null, "not a message"],
    ["a string", "CheckRequest", "not a message"],
    ["an array", [], "not a message"],
    ["no attributes", {}, "missing attributes"],
    ["null attributes", { attributes: null }, "missing attributes"],
    ["attributes of the wrong type", { attributes: "x" }, "CheckRequest.attributes must be a message"],
    ["no request", { attributes: {} }, "missing attributes.request"],
    ["no http", { attributes: { request: { time: { seconds: "1" } } } }, "missing attributes.request.http"],
    ["http as a list", { attributes: { request: { http: [] } } }, "attributes.request.http must be a message"],
    ["method of the wrong type", checkRequest({ http: { method: 7 } }), "http.method must be a string"],
    ["headers of the wrong type", checkRequest({ http: { headers: "a: b" } }), "http.headers must be a message"],
    ["a non-string header value", checkRequest({ headers: { "x-a": 1 as unknown as string } }), 'http.headers["x-a"] must be a string'],
    ["raw_body of the wrong type", checkRequest({ http: { raw_body: "abc" } }), "http.raw_body must be bytes"],
    ["source of the wrong type", checkRequest({ attributes: { source: 5 } }), "attributes.source must be a message"],
    [
      "a non-number port",
      checkRequest({ attributes: { source: { address: { socket_address: { address: "1.2.3.4", port_value: "80" } } } } }),
      "port_value must be a number",
    ],
    [
      "context_extensions with a number",
      checkRequest({ attributes: { context_extensions: { a: 1 } } }),
      'context_extensions["a"] must be a string',
    ],
    ["no path at all", checkRequest({ http: { path: "" }, headers: { ":path": "" } }), "no path"],
  ])("%s → request_malformed", (_name, raw, detail) => {
    expect(denial(raw)).toEqual({ reason: "request_malformed", detail: expect.stringContaining(detail) });
  });

  it("accepts a minimal request with only method, path and host", () => {
    const req = normalized({ attributes: { request: { http: { method: "GET", path: "/", host: "h" } } } });
    expect(req).toMatchObject({ id: "", method: "GET", path: "/", host: "h", scheme: "", protocol: "", body: undefined });
    expect(req.peer).toEqual({ address: "", principal: "", certificate: "" });
    expect(req.headers.size).toBe(0);
    expect(req.contextExtensions.size).toBe(0);
  });
});

describe("normalizeRequest: method (T16: same decision or deny)", () => {
  it.each(["get", "Post", "GET ", "", "G\u0000T", "GÉT", "GET,POST"])("method %j → request_malformed", (method) => {
    const headers = { ...DEFAULT_HEADERS } as Record<string, string>;
    delete headers[":method"];
    expect(denial(checkRequest({ http: { method, headers } }))?.reason).toBe("request_malformed");
  });

  it.each(["GET", "POST", "M-SEARCH", "PROPFIND", "PATCH"])("method %j is accepted unchanged", (method) => {
    expect(normalized(checkRequest({ http: { method }, headers: { ":method": method } })).method).toBe(method);
  });

  it("takes the method from :method when http.method is absent", () => {
    expect(normalized(checkRequest({ http: { method: undefined }, headers: { ":method": "PUT" } })).method).toBe("PUT");
  });

  it("refuses http.method and :method that disagree", () => {
    expect(denial(checkRequest({ http: { method: "GET" } }))).toEqual({
      reason: "request_malformed",
      detail: "http.method and :method disagree",
    });
  });
});

describe("normalizeRequest: path", () => {
  it("takes the path from :path when http.path is absent", () => {
    const req = normalized(checkRequest({ http: { path: undefined }, headers: { ":path": "/a/%2e%2e/v2" } }));
    expect([req.path, req.rawPath]).toEqual(["/v2", "/a/%2e%2e/v2"]);
  });

  it("takes the path from http.path when :path is absent", () => {
    const headers = { ...DEFAULT_HEADERS } as Record<string, string>;
    delete headers[":path"];
    const raw = checkRequest({ http: { path: "/v2/health/ready", headers } });
    expect(normalized(raw).path).toBe("/v2/health/ready");
  });

  it("refuses http.path and :path that disagree", () => {
    expect(denial(checkRequest({ http: { path: "/public" }, headers: { ":path": "/admin" } }))?.reason).toBe("request_malformed");
  });

  it.each(["/x%2Fadmin", "/x%00", "/%252F", "\\admin", "*", "http://h/x"])("%j → path_invalid", (path) => {
    expect(denial(checkRequest({ http: { path }, headers: { ":path": path } }))?.reason).toBe("path_invalid");
  });
});

describe("normalizeRequest: host (T16)", () => {
  function hostOf(host: string, extra: Record<string, string> = {}): string | DenyReason {
    const result = normalizeRequest(checkRequest({ http: { host }, headers: { ":authority": host, ...extra } }), NOW);
    return result.ok ? result.value.host : result.error.reason;
  }

  it.each<[string, string]>([
    ["Models.Example", "models.example"],
    ["models.example.", "models.example"],
    ["MODELS.EXAMPLE.:8443", "models.example"],
    ["models.example:8443", "models.example"],
    ["fraud-detector.ml-prod.svc.cluster.local", "fraud-detector.ml-prod.svc.cluster.local"],
    ["my_service", "my_service"],
    ["10.0.0.7:8080", "10.0.0.7"],
    ["[::1]:8080", "[::1]"],
    ["[2001:DB8::1]", "[2001:db8::1]"],
    ["localhost", "localhost"],
  ])("%j → %j", (host, expected) => {
    expect(hostOf(host)).toBe(expected);
  });

  it.each([
    "models..example",
    "models.example..",
    ".models.example",
    ".",
    "models.example:",
    "models.example:99999",
    "models.example:80:80",
    "models example",
    "models.exämple",
    "-models.example",
    "models-.example",
    "user@models.example",
    "[::1",
    "[zz::1]",
    "[::1]x",
    `${"a".repeat(64)}.example`,
    `${"a.".repeat(127)}ab`,
  ])("%j → host_invalid", (host) => {
    expect(hostOf(host)).toBe("host_invalid");
  });

  it("accepts the same host spelled differently in :authority, host and http.host", () => {
    expect(hostOf("Models.Example", { host: "models.example.:443" })).toBe("models.example");
  });

  it("refuses a request naming two hosts", () => {
    expect(hostOf("models.example", { host: "admin.example" })).toBe("host_invalid");
  });

  it("refuses a request naming no host", () => {
    const headers = { ...DEFAULT_HEADERS } as Record<string, string>;
    delete headers[":authority"];
    expect(denial(checkRequest({ http: { host: "", headers } }))?.detail).toBe("the request names no host");
  });
});

describe("normalizeRequest: headers", () => {
  function headersOf(raw: unknown): Record<string, string> | DenyReason {
    const result = normalizeRequest(raw, NOW);
    return result.ok ? Object.fromEntries(result.value.headers) : result.error.reason;
  }

  it("lower-cases names", () => {
    expect(headersOf(checkRequest({ headers: { "X-Tenant": "a" } }))).toMatchObject({ "x-tenant": "a" });
  });

  it("keeps a comma-joined duplicate as one string (T16: never the second value alone)", () => {
    expect(headersOf(checkRequest({ headers: { "x-tenant": "blue,red" } }))).toMatchObject({ "x-tenant": "blue,red" });
  });

  it("joins names that only differ by case, like Envoy's merge", () => {
    expect(headersOf(checkRequest({ headers: { "x-tenant": "blue", "X-Tenant": "red" } }))).toMatchObject({
      "x-tenant": "blue,red",
    });
  });

  it.each<[string, Record<string, string>]>([
    ["NUL in a value", { "x-a": "a\u0000b" }],
    ["CR in a value", { "x-a": "a\rb" }],
    ["LF in a value", { "x-a": "a\nx-admin: true" }],
    ["a space in a name", { "x a": "b" }],
    ["an empty name", { "": "b" }],
    ["a colon inside a name", { "x:a": "b" }],
    ["an empty pseudo-header name", { ":": "b" }],
  ])("%s → header_invalid", (_name, headers) => {
    expect(headersOf(checkRequest({ headers }))).toBe("header_invalid");
  });

  it("accepts exactly the header count limit", () => {
    const headers = Object.fromEntries(
      Array.from({ length: MAX_HEADER_COUNT - Object.keys(DEFAULT_HEADERS).length }, (_, i) => [`x-h${i}`, "v"]),
    );
    expect(typeof headersOf(checkRequest({ headers }))).toBe("object");
  });

  it("refuses one header over the count limit", () => {
    const headers = Object.fromEntries(
      Array.from({ length: MAX_HEADER_COUNT + 1 - Object.keys(DEFAULT_HEADERS).length }, (_, i) => [`x-h${i}`, "v"]),
    );
    expect(headersOf(checkRequest({ headers }))).toBe("header_invalid");
  });

  it("refuses a huge header map without trouble", () => {
    const headers = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`x-h${i}`, "v"]));
    expect(headersOf(checkRequest({ headers }))).toBe("header_invalid");
  });

  it("refuses headers over the byte limit", () => {
    expect(headersOf(checkRequest({ headers: { "x-big": "a".repeat(MAX_HEADER_BYTES) } }))).toBe("header_invalid");
  });

  it("counts bytes, not characters", () => {
    expect(headersOf(checkRequest({ headers: { "x-big": "é".repeat(MAX_HEADER_BYTES / 2 - 10) } }))).toBe("header_invalid");
    expect(typeof headersOf(checkRequest({ headers: { "x-big": "é".repeat(MAX_HEADER_BYTES / 2 - 400) } }))).toBe("object");
  });

  it("takes the id from x-request-id, then Envoy's stream id", () => {
    const withoutRequestId = { ...DEFAULT_HEADERS } as Record<string, string>;
    delete withoutRequestId["x-request-id"];
    expect(normalized(checkRequest()).id).toBe("req-1");
    expect(normalized(checkRequest({ http: { headers: withoutRequestId } })).id).toBe("9184532158716350316");
  });
});

describe("normalizeRequest: header_map (encode_raw_headers)", () => {
  const encoder = new TextEncoder();

  function rawRequest(lines: ReadonlyArray<Record<string, unknown>>): unknown {
    return checkRequest({ http: { headers: undefined, header_map: { headers: lines } } });
  }

  const requestLine = [
    { key: ":authority", raw_value: encoder.encode("Models.Example") },
    { key: ":method", raw_value: encoder.encode("POST") },
    { key: ":path", raw_value: encoder.encode("/v1/models/m:predict") },
  ];

  it("decodes raw_value bytes as UTF-8 and keeps value strings", () => {
    const req = normalized(
      rawRequest([...requestLine, { key: "X-Name", raw_value: encoder.encode("café") }, { key: "x-plain", value: "yes" }]),
    );
    expect(Object.fromEntries(req.headers)).toEqual({ "x-name": "café", "x-plain": "yes" });
    expect(req.host).toBe("models.example");
  });

  it("joins repeated lines with a comma, as Envoy does for `headers`", () => {
    const req = normalized(
      rawRequest([
        ...requestLine,
        { key: "x-tenant", raw_value: encoder.encode("blue") },
        { key: "x-tenant", raw_value: encoder.encode("red") },
      ]),
    );
    expect(req.headers.get("x-tenant")).toBe("blue,red");
  });

  it("uses header_map when headers is an empty map", () => {
    const raw = checkRequest({ http: { headers: {}, header_map: { headers: requestLine } } });
    expect(normalized(raw).path).toBe("/v1/models/m:predict");
  });

  it.each<[string, ReadonlyArray<Record<string, unknown>>, DenyReason]>([
    ["invalid UTF-8", [{ key: "x-a", raw_value: new Uint8Array([0xc3, 0x28]) }], "header_invalid"],
    ["a NUL byte", [{ key: "x-a", raw_value: new Uint8Array([0x61, 0x00]) }], "header_invalid"],
    ["a repeated :path", [{ key: ":path", value: "/public" }], "header_invalid"],
    ["an entry that is not a message", ["x-a: b" as unknown as Record<string, unknown>], "request_malformed"],
    ["a key of the wrong type", [{ key: 1, value: "b" }], "request_malformed"],
  ])("%s → %s", (_name, lines, reason) => {
    expect(denial(rawRequest([...requestLine, ...lines]))?.reason).toBe(reason);
  });

  it("refuses more lines than the header count limit before decoding them", () => {
    const lines = Array.from({ length: MAX_HEADER_COUNT + 1 }, () => ({ key: "x-a", raw_value: new Uint8Array([0xff]) }));
    expect(denial(rawRequest(lines))).toEqual({ reason: "header_invalid", detail: `more than ${MAX_HEADER_COUNT} headers` });
  });

  it("refuses a request carrying both headers and header_map", () => {
    const raw = checkRequest({ http: { header_map: { headers: requestLine } } });
    expect(denial(raw)?.reason).toBe("request_malformed");
  });
});

describe("normalizeRequest: body", () => {
  const bytes = new TextEncoder().encode('{"model":"m"}');

  function bodyOf(http: Record<string, unknown>, marker?: string): unknown {
    const result = normalizeRequest(
      checkRequest({ http, headers: marker === undefined ? {} : { "x-envoy-auth-partial-body": marker } }),
      NOW,
    );
    if (!result.ok) {
      return result.error.reason;
    }
    const body = result.value.body;
    return body === undefined ? undefined : { text: new TextDecoder().decode(body.bytes), partial: body.partial };
  }

  it.each<[string, Record<string, unknown>, string | undefined, unknown]>([
    ["raw_body", { raw_body: bytes }, "false", { text: '{"model":"m"}', partial: false }],
    ["body as text", { body: '{"model":"é"}' }, "false", { text: '{"model":"é"}', partial: false }],
    ["a partial body", { raw_body: bytes }, "true", { text: '{"model":"m"}', partial: true }],
    ["a body without the marker", { raw_body: bytes }, undefined, { text: '{"model":"m"}', partial: false }],
    ["an empty body with buffering on", {}, "false", { text: "", partial: false }],
    ["no body and no buffering", {}, undefined, undefined],
    ["an invalid marker", { raw_body: bytes }, "yes", "header_invalid"],
    ["body and raw_body both set", { raw_body: bytes, body: "x" }, "false", "request_malformed"],
  ])("%s", (_name, http, marker, expected) => {
    expect(bodyOf(http, marker)).toEqual(expected);
  });
});

describe("normalizeRequest: peer", () => {
  function peerOf(source: unknown): unknown {
    const result = normalizeRequest(checkRequest({ attributes: { source } }), NOW);
    return result.ok ? result.value.peer : result.error.reason;
  }

  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

  it.each<[string, unknown, unknown]>([
    [
      "IPv4",
      { address: { socket_address: { address: "10.0.0.1", port_value: 443 } } },
      { address: "10.0.0.1:443", principal: "", certificate: "" },
    ],
    [
      "IPv6",
      { address: { socket_address: { address: "2001:db8::1", port_value: 443 } } },
      { address: "[2001:db8::1]:443", principal: "", certificate: "" },
    ],
    [
      "a named port",
      { address: { socket_address: { address: "10.0.0.1", named_port: "https" } } },
      { address: "10.0.0.1:https", principal: "", certificate: "" },
    ],
    ["no port", { address: { socket_address: { address: "10.0.0.1" } } }, { address: "10.0.0.1", principal: "", certificate: "" }],
    [
      "a Unix socket",
      { address: { pipe: { path: "/run/envoy.sock" }, address: "pipe" } },
      { address: "/run/envoy.sock", principal: "", certificate: "" },
    ],
    ["an internal address", { address: { envoy_internal_address: {} } }, { address: "", principal: "", certificate: "" }],
    ["no source", undefined, { address: "", principal: "", certificate: "" }],
    [
      "a certificate",
      { principal: "spiffe://td/ns/a/sa/b", certificate: encodeURIComponent(pem) },
      { address: "", principal: "spiffe://td/ns/a/sa/b", certificate: pem },
    ],
    ["a broken certificate encoding", { certificate: "-----BEGIN%zz" }, "request_malformed"],
    ["a certificate that is not UTF-8", { certificate: "%C3%28" }, "request_malformed"],
    ["a principal of the wrong type", { principal: ["a"] }, "request_malformed"],
  ])("%s", (_name, source, expected) => {
    expect(peerOf(source)).toEqual(expected);
  });
});
