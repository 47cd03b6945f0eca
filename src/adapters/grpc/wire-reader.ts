// A protobuf wire reader whose every read accepts and refuses exactly what protobufjs 7's
// BufferReader does (the reader behind @grpc/proto-loader), so the lean CheckRequest decoder
// refuses the same malformed messages as the reference decode. Where protobufjs is lenient the
// leniency is kept on purpose: a string whose length runs past its message is cut at the
// message's end, a 10-byte varint's last five bytes are skipped unread, and an int64 varint that
// ends the buffer early reads a missing byte as zero. Errors are thrown, as grpc-js expects of a
// deserializer (it answers the call INTERNAL); nothing else in modelgate calls this.

export const RECURSION_LIMIT = 100; // protobufjs util.recursionLimit

export interface WireReader {
  readonly buf: Buffer;
  pos: number;
  len: number; // the end of the message being read (protobufjs narrows `len` per message)
}

export const readerOf = (buf: Buffer): WireReader => ({ buf, pos: 0, len: buf.length });

function outOfRange(r: WireReader, wanted = 1): Error {
  return new RangeError(`index out of range: ${r.pos} + ${wanted} > ${r.len}`);
}

function uint32NearEnd(r: WireReader): number {
  let value = 0;
  for (let i = 0; i < 4; i += 1) {
    if (r.pos >= r.len) throw outOfRange(r);
    const b = r.buf[r.pos++] as number;
    value = (value | ((b & 127) << (i * 7))) >>> 0;
    if (b < 128) return value;
  }
  throw outOfRange(r);
}

export function readUint32(r: WireReader): number {
  const buf = r.buf;
  if (r.len - r.pos < 5) {
    if (r.pos >= r.len) throw outOfRange(r);
    if ((buf[r.pos] as number) >= 128) return uint32NearEnd(r);
  }
  let b = buf[r.pos++] as number;
  let value = (b & 127) >>> 0;
  if (b < 128) return value;
  b = buf[r.pos++] as number;
  value = (value | ((b & 127) << 7)) >>> 0;
  if (b < 128) return value;
  b = buf[r.pos++] as number;
  value = (value | ((b & 127) << 14)) >>> 0;
  if (b < 128) return value;
  b = buf[r.pos++] as number;
  value = (value | ((b & 127) << 21)) >>> 0;
  if (b < 128) return value;
  b = buf[r.pos++] as number;
  value = (value | ((b & 15) << 28)) >>> 0;
  if (b < 128) return value;
  if ((r.pos += 5) > r.len) {
    r.pos = r.len;
    throw outOfRange(r, 10);
  }
  return value;
}

// protobufjs readLongVarint, position effects only (no int64 field is kept by the decoder).
export function skipInt64(r: WireReader): void {
  const buf = r.buf;
  let i = 0;
  if (r.len - r.pos > 4) {
    for (; i < 5; i += 1) if ((buf[r.pos++] as number) < 128) return;
    i = 0;
  } else {
    for (; i < 3; i += 1) {
      if (r.pos >= r.len) throw outOfRange(r);
      if ((buf[r.pos++] as number) < 128) return;
    }
    r.pos += 1; // the 4th byte is taken unchecked, as protobufjs does
    return;
  }
  if (r.len - r.pos > 4) {
    for (; i < 5; i += 1) if ((buf[r.pos++] as number) < 128) return;
  } else {
    for (; i < 5; i += 1) {
      if (r.pos >= r.len) throw outOfRange(r);
      if ((buf[r.pos++] as number) < 128) return;
    }
  }
  throw new Error("invalid varint encoding");
}

export function skipBytes(r: WireReader, length: number): void {
  if (r.pos + length > r.len) throw outOfRange(r, length);
  r.pos += length;
}

function skipVarint(r: WireReader): void {
  do {
    if (r.pos >= r.len) throw outOfRange(r);
  } while ((r.buf[r.pos++] as number) & 128);
}

export function skipType(r: WireReader, wireType: number, depth: number): void {
  if (depth > RECURSION_LIMIT) throw new Error("maximum nesting depth exceeded");
  switch (wireType) {
    case 0:
      return skipVarint(r);
    case 1:
      return skipBytes(r, 8);
    case 2:
      return skipBytes(r, readUint32(r));
    case 3:
      for (let w = readUint32(r) & 7; w !== 4; w = readUint32(r) & 7) skipType(r, w, depth + 1);
      return;
    case 5:
      return skipBytes(r, 4);
    default:
      throw new Error(`invalid wire type ${wireType} at offset ${r.pos}`);
  }
}

export function readString(r: WireReader): string {
  const length = readUint32(r);
  const start = r.pos;
  r.pos = Math.min(start + length, r.len);
  // Buffer's undocumented utf8Slice saved ≈ 10 ns per text (bench/micro-levers.ts); not worth
  // depending on an API Node does not promise to keep.
  return r.buf.toString("utf8", start, r.pos);
}

export function readBytes(r: WireReader): Buffer {
  const length = readUint32(r);
  const start = r.pos;
  const end = start + length;
  if (end > r.len) throw outOfRange(r, length);
  r.pos = end;
  return start === end ? Buffer.alloc(0) : r.buf.subarray(start, end);
}

// Narrows the reader to a length-delimited message of `length` bytes; returns the outer end.
export function enter(r: WireReader, length: number): number {
  const end = r.pos + length;
  if (end > r.len) throw new RangeError("index out of range");
  const outer = r.len;
  r.len = end;
  return outer;
}

export function leave(r: WireReader, outer: number): void {
  if (r.pos !== r.len) throw new RangeError("index out of range");
  r.len = outer;
}
