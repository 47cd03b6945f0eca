// A protobuf wire writer over one growing scratch buffer, for the lean CheckResponse encoder.
// A length-delimited field is written by reserving one byte for its length, writing the content,
// and widening the length in place when the content took 128 bytes or more; `finish` copies the
// message out, so the scratch buffer is reused for the next response (all on one thread, one
// message at a time).

export class WireWriter {
  private buf = Buffer.allocUnsafe(4096);
  private pos = 0;
  private readonly starts: number[] = [];

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  varint(value: number): this {
    this.ensure(5);
    let v = value >>> 0;
    while (v > 127) {
      this.buf[this.pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  string(field: number, value: string): this {
    this.tag(field, 2);
    const bytes = Buffer.byteLength(value, "utf8");
    this.varint(bytes);
    this.ensure(bytes);
    this.pos += this.buf.write(value, this.pos, bytes, "utf8");
    return this;
  }

  // Opens a length-delimited field whose content follows, up to the matching `close`.
  open(field: number): this {
    this.tag(field, 2);
    this.ensure(1);
    this.starts.push(this.pos);
    this.pos += 1;
    return this;
  }

  close(): this {
    const at = this.starts.pop() as number;
    const length = this.pos - at - 1;
    let extra = 0;
    for (let v = length >>> 7; v > 0; v >>>= 7) extra += 1;
    if (extra > 0) {
      this.ensure(extra);
      this.buf.copyWithin(at + 1 + extra, at + 1, this.pos);
      this.pos += extra;
    }
    let v = length;
    let p = at;
    while (v > 127) {
      this.buf[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buf[p] = v;
    return this;
  }

  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    this.starts.length = 0;
    return out;
  }
}
