import { describe, expect, it } from "vitest";
import { GrpcMessageReader, type FramingError } from "../../../src/adapters/grpc/grpc-message-reader.ts";

// Length-prefixed gRPC messages out of DATA chunks whose boundaries are arbitrary.

function frame(message: Buffer | string, flag = 0): Buffer {
  const body = Buffer.from(message);
  const prefix = Buffer.alloc(5);
  prefix[0] = flag;
  prefix.writeUInt32BE(body.length, 1);
  return Buffer.concat([prefix, body]);
}

function chunked(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

interface Read {
  readonly messages: (string | { skipped: number })[];
  readonly error: FramingError | undefined;
}

function read(chunks: Buffer[], keep = 64, cap = 256): Read {
  const messages: Read["messages"] = [];
  const reader = new GrpcMessageReader(keep, cap, (bytes, length) =>
    messages.push(bytes === undefined ? { skipped: length } : bytes.toString()),
  );
  let error: FramingError | undefined;
  for (const chunk of chunks) error ??= reader.push(chunk);
  error ??= reader.end();
  return { messages, error };
}

const hello = frame("hello, check");
const two = Buffer.concat([frame("first"), frame("second"), frame("")]);

describe("GrpcMessageReader", () => {
  it.each([
    ["one message in one chunk", [hello], ["hello, check"]],
    ["one message split into bytes", chunked(hello, 1), ["hello, check"]],
    ["the prefix split across chunks", chunked(hello, 3), ["hello, check"]],
    ["the body split across chunks", [hello.subarray(0, 7), hello.subarray(7)], ["hello, check"]],
    ["three messages in one chunk (the last empty)", [two], ["first", "second", ""]],
    ["three messages in chunks of 4", chunked(two, 4), ["first", "second", ""]],
    ["no message at all", [], []],
    ["a message over keepBytes, skipped but reported", [frame("x".repeat(100)), frame("after")], [{ skipped: 100 }, "after"]],
    [
      "a skipped message split into chunks",
      chunked(Buffer.concat([frame("y".repeat(100)), frame("after")]), 9),
      [{ skipped: 100 }, "after"],
    ],
  ])("reads %s", (_name, chunks, expected) => {
    expect(read(chunks)).toEqual({ messages: expected, error: undefined });
  });

  it.each<[string, Buffer[], FramingError]>([
    ["the compressed flag set", [frame("zipped", 1)], { kind: "compressed" }],
    ["a length above the cap, refused before its bytes arrive", [frame("z".repeat(300)).subarray(0, 5)], { kind: "too_large", bytes: 300 }],
    ["a length prefix beyond the data", [frame("hello").subarray(0, 8)], { kind: "truncated" }],
    ["a prefix cut short", [frame("hello").subarray(0, 3)], { kind: "truncated" }],
    ["a skipped message cut short", [frame("x".repeat(100)).subarray(0, 50)], { kind: "truncated" }],
  ])("refuses %s", (_name, chunks, error) => {
    expect(read(chunks).error).toEqual(error);
  });

  it("reports nothing after its first error", () => {
    const { messages, error } = read([Buffer.concat([frame("bad", 1), frame("good")])]);
    expect(error).toEqual({ kind: "compressed" });
    expect(messages).toEqual([]);
  });
});
