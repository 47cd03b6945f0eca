import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkResponseEncoder } from "../../../src/adapters/grpc/check-response-encoder.ts";
import { toCheckResponse } from "../../../src/adapters/grpc/check-response.ts";
import { loadAuthorizationProtos } from "../../../src/adapters/grpc/envoy-protos.ts";
import type { AuthzResponse } from "../../../src/core/respond.ts";

// The lean encoder writes byte for byte what proto-loader's serializer writes for the
// CheckResponse object check-response.ts builds, and decodes back to the same message.

const check = loadAuthorizationProtos().service["Check"];
if (check === undefined) throw new Error("no Check method");
const reference = (response: AuthzResponse, id: string, reason: string): Buffer =>
  check.responseSerialize(toCheckResponse(response, id, reason));

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 120, maxLength: 400 }),
  fc.constantFrom("", "é\u0000\uffff", "__proto__"),
);
const pairs = fc.array(fc.tuple(text, text), { maxLength: 6 });
const allow = fc.record({
  allowed: fc.constant(true as const),
  upstreamHeaders: pairs,
  upstreamHeadersToRemove: fc.array(text, { maxLength: 3 }),
  responseHeaders: pairs,
});
const deny = fc.record({
  allowed: fc.constant(false as const),
  httpStatus: fc.constantFrom(400, 401, 403, 429, 500, 503),
  grpcCode: fc.integer({ min: 1, max: 16 }),
  headers: pairs,
  body: fc.oneof(text, fc.string({ minLength: 2000, maxLength: 20000 })),
});

describe("lean CheckResponse encoder", () => {
  const encode = checkResponseEncoder();

  it("writes the reference bytes for generated allows and denials", () => {
    fc.assert(
      fc.property(fc.oneof(allow, deny), text, text, (response, id, reason) => {
        expect(encode(response, id, reason).toString("hex")).toBe(reference(response, id, reason).toString("hex"));
      }),
      { numRuns: 2000 },
    );
  }, 120_000);

  it("decodes back to the message it encoded", () => {
    const response: AuthzResponse = {
      allowed: false,
      httpStatus: 429,
      grpcCode: 8,
      headers: [["retry-after", "3"]],
      body: '{"error":"rate_limited"}',
    };
    const decoded = check.responseDeserialize(encode(response, "d-1", "rate_limited")) as Record<string, unknown>;
    expect(decoded).toMatchObject({
      status: { code: 8, message: "rate_limited" },
      denied_response: {
        status: { code: "TooManyRequests" },
        headers: [{ header: { key: "retry-after", value: "3" }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }],
        body: '{"error":"rate_limited"}',
      },
      dynamic_metadata: { fields: { decision_id: { stringValue: "d-1" }, reason: { stringValue: "rate_limited" } } },
    });
  });

  it("hands out a fresh buffer each time (the scratch space is reused)", () => {
    const response: AuthzResponse = { allowed: true, upstreamHeaders: [["x-a", "1"]], upstreamHeadersToRemove: [], responseHeaders: [] };
    const first = encode(response, "one", "allowed");
    const copy = Buffer.from(first);
    encode(response, "two", "allowed");
    expect(first.equals(copy)).toBe(true);
  });
});
