import { err, ok, type Result } from "../result.ts";

// Reads chosen length-delimited fields of a protobuf message without its schema (ml-protocols.md
// §3): every field is walked, so a repeated singular field yields its last occurrence, as a
// protobuf parser would merge it; groups, truncated fields and a wanted field with another wire
// type make the message malformed rather than half-read.

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

interface Cursor {
  offset: number;
}

function readVarint(bytes: Uint8Array, at: Cursor): number | undefined {
  let value = 0;
  for (let shift = 0; shift < 64; shift += 7) {
    const byte = bytes[at.offset];
    if (byte === undefined) return undefined;
    at.offset += 1;
    // Lengths and tags beyond 2^53 cannot fit a message we were sent; only their size matters.
    if (shift < 53) value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return value;
  }
  return undefined; // more than ten bytes
}

export function scanLengthDelimited(bytes: Uint8Array, wanted: readonly number[]): Result<ReadonlyMap<number, Uint8Array>, string> {
  const found = new Map<number, Uint8Array>();
  const at: Cursor = { offset: 0 };
  while (at.offset < bytes.length) {
    const key = readVarint(bytes, at);
    if (key === undefined) return err("truncated field key");
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0) return err("field number 0");
    if (wanted.includes(field) && wireType !== LEN) return err(`field ${field} is not length-delimited`);
    const skipped = skip(bytes, at, wireType);
    if (!skipped.ok) return skipped;
    if (wireType === LEN) found.set(field, skipped.value);
  }
  return ok(found);
}

// Moves past one value; a length-delimited one is returned.
function skip(bytes: Uint8Array, at: Cursor, wireType: number): Result<Uint8Array, string> {
  const none = new Uint8Array(0);
  switch (wireType) {
    case VARINT:
      return readVarint(bytes, at) === undefined ? err("truncated varint") : ok(none);
    case FIXED64:
    case FIXED32: {
      const size = wireType === FIXED64 ? 8 : 4;
      if (at.offset + size > bytes.length) return err("truncated fixed-size field");
      at.offset += size;
      return ok(none);
    }
    case LEN: {
      const length = readVarint(bytes, at);
      if (length === undefined || at.offset + length > bytes.length) return err("truncated length-delimited field");
      const value = bytes.subarray(at.offset, at.offset + length);
      at.offset += length;
      return ok(value);
    }
    default:
      return err(`wire type ${wireType} (groups are not accepted)`);
  }
}
