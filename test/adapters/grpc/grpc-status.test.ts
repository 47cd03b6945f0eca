import { describe, expect, it } from "vitest";
import { percentEncodeGrpcMessage } from "../../../src/adapters/grpc/grpc-status.ts";

// Status-Message: UTF-8, then bytes outside space..~ and `%` itself percent-encoded.
describe("percentEncodeGrpcMessage", () => {
  it.each([
    ["plain ASCII unchanged", "unknown method /a.B/C", "unknown method /a.B/C"],
    ["empty", "", ""],
    ["percent sign", "100% sure", "100%25 sure"],
    ["newline and tab", "a\nb\tc", "a%0Ab%09c"],
    ["non-ASCII as UTF-8 bytes", "größe €", "gr%C3%B6%C3%9Fe %E2%82%AC"],
    ["DEL", "x\u007f", "x%7F"],
  ])("%s", (_name, message, encoded) => {
    expect(percentEncodeGrpcMessage(message)).toBe(encoded);
    expect(decodeURIComponent(encoded)).toBe(message);
  });
});
