import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCheckRequest } from "../../../src/adapters/grpc/check-request-decoder.ts";
import { normalizeRequest } from "../../../src/core/request/normalize-request.ts";
import { loadCheckCodec } from "../../core/request/check-codec.ts";

// The lean decoder against the reference decode (@grpc/proto-loader over protobufjs): on every
// input both refuse, or both accept and agree on every field the pipeline reads (the list below
// is written out from src/core/request/check-request.ts, independently of the decoder's schema).

const codec = loadCheckCodec();
// Thousands of generated messages: generous for a loaded CI machine.
const PROPERTY_TIMEOUT_MS = 120_000;
type Obj = Record<string, unknown>;

function pick(from: unknown, fields: Record<string, true | ((v: unknown) => unknown)>): Obj | undefined {
  if (from === undefined) return undefined;
  const out: Obj = {};
  for (const [name, how] of Object.entries(fields)) {
    if (!Object.hasOwn(from as Obj, name)) continue;
    const value = (from as Obj)[name];
    put(out, name, how === true ? value : how(value));
  }
  return out;
}

function put(out: Obj, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
}

const copyMap = (map: unknown): Obj => {
  const out: Obj = {};
  for (const key of Object.keys(map as Obj)) put(out, key, (map as Obj)[key]);
  return out;
};

// What the pipeline reads, from a proto-loader decoded CheckRequest.
function readFields(decoded: unknown): unknown {
  return pick(decoded, {
    attributes: (a) =>
      pick(a, {
        source: (s) =>
          pick(s, {
            address: (ad) =>
              pick(ad, {
                socket_address: (sa) => pick(sa, { address: true, port_value: true, named_port: true }),
                pipe: (p) => pick(p, { path: true }),
              }),
            principal: true,
            certificate: true,
          }),
        request: (r) =>
          pick(r, {
            http: (h) =>
              pick(h, {
                id: true,
                method: true,
                headers: copyMap,
                path: true,
                host: true,
                scheme: true,
                protocol: true,
                body: true,
                raw_body: true,
                header_map: (hm) =>
                  pick(hm, { headers: (list) => (list as unknown[]).map((v) => pick(v, { key: true, value: true, raw_value: true })) }),
              }),
          }),
        context_extensions: copyMap,
      }),
  });
}

type Outcome = { readonly refused: true } | { readonly refused: false; readonly value: unknown };
function outcome(decode: () => unknown): Outcome {
  try {
    return { refused: false, value: decode() };
  } catch {
    return { refused: true };
  }
}

function expectSameDecode(bytes: Buffer): void {
  const reference = outcome(() => readFields(codec.requestDeserialize(bytes)));
  const lean = outcome(() => decodeCheckRequest(bytes));
  expect(lean.refused, `refusal of ${bytes.toString("hex")}`).toBe(reference.refused);
  if (!reference.refused && !lean.refused) expect(lean.value, bytes.toString("hex")).toStrictEqual(reference.value);
}

// Envoy-shaped messages with every field of the protos set at times, the unread ones included.
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("", "__proto__", "x-api-key", ":path", "é\u0000\uffff"));
const stringMap = fc.dictionary(text, text, { maxKeys: 4 });
const bytes = fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b));
const leaf = fc.oneof(
  fc.record({ stringValue: text }),
  fc.record({ numberValue: fc.double() }),
  fc.record({ boolValue: fc.boolean() }),
  fc.record({ nullValue: fc.constant("NULL_VALUE") }),
);
const struct = fc.record({
  fields: fc.dictionary(text, fc.oneof(leaf, fc.record({ listValue: fc.record({ values: fc.array(leaf, { maxLength: 3 }) }) })), {
    maxKeys: 3,
  }),
});
const address = fc.oneof(
  fc.record({
    socket_address: fc.record(
      {
        protocol: fc.constantFrom("TCP", "UDP"),
        address: text,
        port_value: fc.nat(65535),
        named_port: text,
        resolver_name: text,
        ipv4_compat: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({ pipe: fc.record({ path: text, mode: fc.nat(0o777) }, { requiredKeys: [] }) }),
  fc.record({ envoy_internal_address: fc.record({ server_listener_name: text, endpoint_id: text }, { requiredKeys: [] }) }),
);
const peer = fc.record({ address, service: text, labels: stringMap, principal: text, certificate: text }, { requiredKeys: [] });
const http = fc.record(
  {
    id: text,
    method: text,
    headers: stringMap,
    path: text,
    host: text,
    scheme: text,
    query: text,
    fragment: text,
    size: fc.bigInt({ min: 0n, max: 1n << 40n }).map(String),
    protocol: text,
    body: text,
    raw_body: bytes,
    header_map: fc.record({
      headers: fc.array(fc.record({ key: text, value: text, raw_value: bytes }, { requiredKeys: [] }), { maxLength: 4 }),
    }),
  },
  { requiredKeys: [] },
);
const checkRequest = fc.record(
  {
    attributes: fc.record(
      {
        source: peer,
        destination: peer,
        request: fc.record({ time: fc.record({ seconds: fc.nat().map(String), nanos: fc.nat(999_999_999) }), http }, { requiredKeys: [] }),
        context_extensions: stringMap,
        metadata_context: fc.record({ filter_metadata: fc.dictionary(text, struct, { maxKeys: 2 }) }),
        route_metadata_context: fc.record({
          typed_filter_metadata: fc.dictionary(text, fc.record({ type_url: text, value: bytes }), { maxKeys: 2 }),
        }),
        tls_session: fc.record({ sni: text }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

// Raw protobuf fields of every wire type, known numbers included, for unknown and ill-typed fields.
const varint = (n: number): number[] => {
  const out: number[] = [];
  let v = n >>> 0;
  while (v > 127) {
    out.push((v & 127) | 128);
    v >>>= 7;
  }
  out.push(v);
  return out;
};
const rawField = fc
  .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 7 }), fc.uint8Array({ maxLength: 10 }))
  .map(([field, wire, payload]) => {
    const head = varint((field << 3) | wire);
    if (wire === 2) return [...head, ...varint(payload.length), ...payload];
    return [...head, ...payload];
  });

const fixtureDir = join(import.meta.dirname, "../../fixtures/check-requests");
const reviveBytes = (_key: string, value: unknown): unknown =>
  typeof value === "object" && value !== null && Object.keys(value).length === 1 && "utf8" in value
    ? Buffer.from(String(value.utf8), "utf8")
    : value;
const fixtures = readdirSync(fixtureDir)
  .filter((n) => n.endsWith(".json"))
  .map((n) => [n, (JSON.parse(readFileSync(join(fixtureDir, n), "utf8"), reviveBytes) as { checkRequest: unknown }).checkRequest] as const);

describe("lean CheckRequest decoder vs the proto-loader decode", () => {
  it.each(fixtures)("agrees on fixture %s, and the pipeline normalises both the same", (_name, message) => {
    const wire = codec.requestSerialize(message);
    expectSameDecode(wire);
    expect(normalizeRequest(decodeCheckRequest(wire), 0)).toStrictEqual(normalizeRequest(codec.requestDeserialize(wire), 0));
  });

  it(
    "agrees on generated Envoy-shaped requests, every proto field set at times",
    () => {
      fc.assert(
        fc.property(checkRequest, (message) => expectSameDecode(codec.requestSerialize(message))),
        { numRuns: 1000 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "agrees when unknown or ill-typed fields are inserted at any position",
    () => {
      fc.assert(
        fc.property(checkRequest, fc.array(rawField, { minLength: 1, maxLength: 3 }), fc.nat(), (message, extra, at) => {
          const wire = [...codec.requestSerialize(message)];
          const cut = at % (wire.length + 1);
          expectSameDecode(Buffer.from([...wire.slice(0, cut), ...extra.flat(), ...wire.slice(cut)]));
        }),
        { numRuns: 1000 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "agrees on truncated and corrupted messages",
    () => {
      fc.assert(
        fc.property(
          checkRequest,
          fc.nat(),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
          (message, cut, flips) => {
            const wire = Buffer.from(codec.requestSerialize(message));
            for (const [at, byte] of flips) if (wire.length > 0) wire[at % wire.length] = byte;
            expectSameDecode(wire);
            expectSameDecode(wire.subarray(0, cut % (wire.length + 1)));
          },
        ),
        { numRuns: 1500 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "agrees on arbitrary bytes",
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (b) => expectSameDecode(Buffer.from(b))),
        { numRuns: 3000 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it.each([
    ["an empty message", ""],
    ["a field with wire type 7", "0f"],
    ["an end-group tag with no group", "0c"],
    ["a message length past the end", "0a05"],
    ["a string length past its message (kept, cut short, as protobufjs does)", "0a0722051203120561"],
    ["a varint that never ends", "08ffffffffffffffffffffff"],
    ["a group holding fields", "1b080110011c"],
    ["attributes sent as a varint", "0803"],
    ["a header named __proto__", "0a14221212101a0e0a095f5f70726f746f5f5f120178"],
  ])("agrees on %s", (_what, hex) => {
    expectSameDecode(Buffer.from(hex, "hex"));
  });

  it("keeps a header named __proto__ as an own field, as the reference does", () => {
    const wire = codec.requestSerialize({ attributes: { request: { http: { headers: { ["__proto__"]: "x", a: "b" } } } } });
    const http = (decodeCheckRequest(wire).attributes?.request?.http ?? {}) as { headers?: Obj };
    expect(Object.keys(http.headers ?? {})).toEqual(["__proto__", "a"]);
    expectSameDecode(wire);
  });

  it("refuses nesting deeper than protobufjs's limit of 100, as the reference does", () => {
    const field = (number: number, content: number[]): number[] => [(number << 3) | 2, ...varint(content.length), ...content];
    const entry = (value: number[]): number[] => [...field(1, [0x6b]), ...field(2, value)]; // map entry "k" → value
    const nested = (levels: number): number[] => {
      let struct: number[] = [];
      for (let i = 0; i < levels; i += 1) struct = field(1, entry(field(5, struct))); // Struct { "k": Value { struct_value } }
      return struct;
    };
    // attributes.metadata_context.filter_metadata
    const request = (levels: number) => Buffer.from(field(1, field(11, field(1, entry(nested(levels))))));
    expectSameDecode(request(30));
    expect(() => decodeCheckRequest(request(30))).not.toThrow();
    expectSameDecode(request(60));
    expect(() => codec.requestDeserialize(request(60))).toThrow(/nesting/);
    expect(() => decodeCheckRequest(request(60))).toThrow(/nesting/);
  });
});
