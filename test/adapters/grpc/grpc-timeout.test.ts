import { describe, expect, it } from "vitest";
import { parseGrpcTimeout } from "../../../src/adapters/grpc/grpc-timeout.ts";

// grpc-timeout: TimeoutValue (1 to 8 ASCII digits) then one unit letter (gRPC over HTTP/2).
describe("parseGrpcTimeout", () => {
  it.each([
    ["absent", undefined, Number.POSITIVE_INFINITY],
    ["hours", "2H", 7_200_000],
    ["minutes", "3M", 180_000],
    ["seconds", "15S", 15_000],
    ["milliseconds", "250m", 250],
    ["microseconds", "1500u", 1.5],
    ["nanoseconds", "2000000n", 2],
    ["zero", "0m", 0],
    ["leading zeros", "00000100m", 100],
    ["eight digits", "99999999S", 99_999_999_000],
  ])("reads %s", (_name, value, ms) => {
    expect(parseGrpcTimeout(value)).toBeCloseTo(ms, 9);
  });

  it.each([
    ["empty", ""],
    ["no unit", "100"],
    ["no digits", "S"],
    ["nine digits", "123456789S"],
    ["unknown unit", "10s"],
    ["two units", "10mS"],
    ["negative", "-1S"],
    ["fraction", "1.5S"],
    ["space inside", "10 S"],
    ["leading space", " 10S"],
    ["plus sign", "+10S"],
  ])("refuses %s", (_name, value) => {
    expect(parseGrpcTimeout(value)).toBeUndefined();
  });
});
