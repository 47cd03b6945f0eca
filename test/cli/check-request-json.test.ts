import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkRequestFromJson } from "../../src/cli/check-request-json.ts";

function converted(json: unknown): unknown {
  const r = checkRequestFromJson(JSON.stringify(json));
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function failure(text: string): string {
  const r = checkRequestFromJson(text);
  if (r.ok) throw new Error(`expected an error for ${text}`);
  return r.error;
}

const BODY = '{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}]}';
const BODY_B64 = Buffer.from(BODY).toString("base64");

// What grpcurl / Envoy print: the proto3 JSON mapping.
const CAMEL = {
  attributes: {
    source: { address: { socketAddress: { address: "10.0.0.7", portValue: 51234 } }, principal: "" },
    request: {
      time: "2026-11-24T06:00:00Z",
      http: {
        method: "POST",
        path: "/v2/models/fraud-detector/infer",
        host: "models.local",
        headers: { ":path": "/v2/models/fraud-detector/infer", "X-Api-Key": "mgk_x", someCamelHeader: "v" },
        rawBody: BODY_B64,
      },
    },
    contextExtensions: { routeName: "infer", "x-Tenant": "acme" },
  },
};

// The same request as our gRPC server decodes it.
const SNAKE = {
  attributes: {
    source: { address: { socket_address: { address: "10.0.0.7", port_value: 51234 } }, principal: "" },
    request: {
      time: "2026-11-24T06:00:00Z",
      http: {
        method: "POST",
        path: "/v2/models/fraud-detector/infer",
        host: "models.local",
        headers: { ":path": "/v2/models/fraud-detector/infer", "X-Api-Key": "mgk_x", someCamelHeader: "v" },
        raw_body: BODY_B64,
      },
    },
    context_extensions: { routeName: "infer", "x-Tenant": "acme" },
  },
};

const EXPECTED = {
  attributes: {
    source: { address: { socket_address: { address: "10.0.0.7", port_value: 51234 } }, principal: "" },
    request: {
      time: "2026-11-24T06:00:00Z",
      http: {
        method: "POST",
        path: "/v2/models/fraud-detector/infer",
        host: "models.local",
        headers: { ":path": "/v2/models/fraud-detector/infer", "X-Api-Key": "mgk_x", someCamelHeader: "v" },
        raw_body: Buffer.from(BODY),
      },
    },
    context_extensions: { routeName: "infer", "x-Tenant": "acme" },
  },
};

describe("checkRequestFromJson", () => {
  it("maps proto3 JSON (camelCase) field names to snake_case and decodes base64 bytes", () => {
    expect(converted(CAMEL)).toEqual(EXPECTED);
  });

  it("accepts the snake_case form unchanged, apart from bytes", () => {
    expect(converted(SNAKE)).toEqual(EXPECTED);
  });

  it("raw_body becomes bytes (a Uint8Array), not a string", () => {
    const value = converted(CAMEL) as typeof EXPECTED;
    const raw = value.attributes.request.http.raw_body;
    expect(raw).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(raw).toString("utf8")).toBe(BODY);
  });

  it("keeps header and context-extension keys exactly as given", () => {
    const value = converted(CAMEL) as typeof EXPECTED;
    expect(Object.keys(value.attributes.request.http.headers)).toEqual([":path", "X-Api-Key", "someCamelHeader"]);
    expect(Object.keys(value.attributes.context_extensions)).toEqual(["routeName", "x-Tenant"]);
  });

  it("keeps peer label keys as given", () => {
    expect(converted({ attributes: { destination: { labels: { appName: "x" } } } })).toEqual({
      attributes: { destination: { labels: { appName: "x" } } },
    });
  });

  it("decodes header_map raw values in both spellings", () => {
    const camel = converted({
      attributes: {
        request: { http: { headerMap: { headers: [{ key: "x-api-key", rawValue: Buffer.from("mgk_y").toString("base64") }] } } },
      },
    });
    const snake = converted({
      attributes: { request: { http: { header_map: { headers: [{ key: "x-api-key", raw_value: "bWdrX3k=" }] } } } },
    });
    const want = {
      attributes: { request: { http: { header_map: { headers: [{ key: "x-api-key", raw_value: Buffer.from("mgk_y") }] } } } },
    };
    expect(camel).toEqual(want);
    expect(snake).toEqual(want);
  });

  it.each<[string, string, string]>([
    ["standard, padded", "aGk/Pz8+", "hi???>"],
    ["URL-safe", "aGk_Pz8-", "hi???>"],
    ["unpadded", "aGk", "hi"],
    ["padded", "aGk=", "hi"],
    ["empty", "", ""],
  ])("accepts %s base64", (_name, encoded, decoded) => {
    const value = converted({ rawBody: encoded }) as { raw_body: Buffer };
    expect(value.raw_body.toString("latin1")).toBe(decoded);
  });

  it.each<[string, string]>([
    ["plain JSON text instead of base64", '{"model":"x"}'],
    ["spaces", "aGk gaGk="],
    ["a lone trailing character", "aGkga"],
    ["padding in the middle", "aG=k"],
    ["padding on a wrong length", "aGk=="],
  ])("rejects %s in a bytes field", (_name, encoded) => {
    expect(failure(JSON.stringify({ attributes: { request: { http: { rawBody: encoded } } } }))).toMatch(/rawBody must be base64/);
  });

  it.each<[string, string]>([
    ["not JSON", "attributes: {}"],
    ["truncated JSON", '{"attributes":'],
    ["empty input", ""],
  ])("rejects %s", (_name, text) => {
    expect(failure(text)).toMatch(/^not valid JSON: /);
  });

  it("round-trips arbitrary header maps untouched", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string()), (headers) => {
        const value = converted({ attributes: { request: { http: { headers } } } }) as {
          attributes: { request: { http: { headers: unknown } } };
        };
        expect(value.attributes.request.http.headers).toEqual(headers);
      }),
      { numRuns: 300 },
    );
  });
});
