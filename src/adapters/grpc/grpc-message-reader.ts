// Length-prefixed gRPC messages (1 byte compressed flag, 4 bytes big-endian length, the
// message) out of a stream's DATA chunks, whose boundaries have nothing to do with the
// messages'. A message that arrives in one chunk is handed on as a view of that chunk (no copy);
// one split across chunks is gathered into a buffer of its announced size. A message longer than
// `keepBytes` is not kept: its bytes are skipped and only its length reported, so an oversized
// request can still be answered. One longer than `capBytes` is an error, before any of it is
// buffered.

export type FramingError =
  | { readonly kind: "compressed" } // the edge accepts only identity encoding
  | { readonly kind: "too_large"; readonly bytes: number }
  | { readonly kind: "truncated" }; // the stream ended inside a message

const PREFIX = 5;

export class GrpcMessageReader {
  private prefix: Buffer | undefined; // only for a prefix split across chunks (rare)
  private prefixFill = 0;
  private body: Buffer | undefined;
  private bodyFill = 0;
  private skipping = 0; // bytes of an unkept message still to skip
  private failed: FramingError | undefined;

  private readonly keepBytes: number;
  private readonly capBytes: number;
  private readonly onMessage: (bytes: Buffer | undefined, length: number) => void;

  // `onMessage` gets undefined bytes for a message longer than keepBytes.
  constructor(keepBytes: number, capBytes: number, onMessage: (bytes: Buffer | undefined, length: number) => void) {
    this.keepBytes = keepBytes;
    this.capBytes = capBytes;
    this.onMessage = onMessage;
  }

  // Undefined while the framing is sound; the first error otherwise (later chunks are ignored).
  push(chunk: Buffer): FramingError | undefined {
    let at = 0;
    while (this.failed === undefined && at < chunk.length) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, chunk.length - at);
        this.skipping -= n;
        at += n;
      } else if (this.body !== undefined) {
        at = this.fillBody(chunk, at);
      } else {
        at = this.readPrefix(chunk, at);
      }
    }
    return this.failed;
  }

  // At the end of the stream: an error if it ended inside a message.
  end(): FramingError | undefined {
    if (this.failed === undefined && (this.prefixFill > 0 || this.body !== undefined || this.skipping > 0))
      this.failed = { kind: "truncated" };
    return this.failed;
  }

  private readPrefix(chunk: Buffer, at: number): number {
    let flag: number;
    let length: number;
    if (this.prefixFill === 0 && chunk.length - at >= PREFIX) {
      flag = chunk[at] as number;
      length = chunk.readUInt32BE(at + 1);
      at += PREFIX;
    } else {
      const n = Math.min(PREFIX - this.prefixFill, chunk.length - at);
      this.prefix ??= Buffer.alloc(PREFIX);
      chunk.copy(this.prefix, this.prefixFill, at, at + n);
      this.prefixFill += n;
      at += n;
      if (this.prefixFill < PREFIX) return at;
      this.prefixFill = 0;
      flag = this.prefix[0] as number;
      length = this.prefix.readUInt32BE(1);
    }
    if (flag !== 0) this.failed = { kind: "compressed" };
    else if (length > this.capBytes) this.failed = { kind: "too_large", bytes: length };
    else if (length > this.keepBytes) {
      this.skipping = length;
      this.onMessage(undefined, length);
    } else if (chunk.length - at >= length) {
      this.onMessage(chunk.subarray(at, at + length), length);
      return at + length;
    } else {
      this.body = Buffer.allocUnsafe(length);
      this.bodyFill = 0;
    }
    return at;
  }

  private fillBody(chunk: Buffer, at: number): number {
    const body = this.body as Buffer;
    const n = Math.min(body.length - this.bodyFill, chunk.length - at);
    chunk.copy(body, this.bodyFill, at, at + n);
    this.bodyFill += n;
    if (this.bodyFill === body.length) {
      this.body = undefined;
      this.onMessage(body, body.length);
    }
    return at + n;
  }
}
