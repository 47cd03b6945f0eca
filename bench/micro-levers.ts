import { hash, timingSafeEqual, randomBytes, createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import { GCProfiler, getHeapStatistics } from "node:v8";
import { mintApiKey } from "../src/core/identity/api-key-format.ts";
import { checkRequest } from "./check-fixture.ts";
import { WireWriter } from "../src/adapters/grpc/wire-writer.ts";
import { readerOf, readString, type WireReader } from "../src/adapters/grpc/wire-reader.ts";
import { utf8ByteLength } from "../src/core/request/utf8.ts";
import { isoTime } from "../src/core/audit/event.ts";
import { parseApiKey } from "../src/core/identity/api-key-format.ts";
import { recordForKey } from "../src/core/identity/api-key-record.ts";
import { buildKeyIndex, verifyApiKey, type KeyIndex } from "../src/core/identity/key-store.ts";
import { median } from "./stats.ts";

// Micro-benchmarks of the hot spots named in issue 15's latest profile, each an A/B of the
// implementation before (copied here) against the tree's, alternating A and B in the same run
// over the inputs the bench sends (bench/check-fixture.ts's headers, an API key as minted).
// Prints CPU ns and V8 heap bytes allocated per call, medians of the rounds.
// Usage: node bench/micro-levers.ts [calls per round, default 200000] [rounds, default 7]

const calls = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 7);

interface Figures {
  readonly ns: number;
  readonly bytes: number;
}

let sink: unknown;

function measure(run: (n: number) => unknown, n: number): Figures {
  const profiler = new GCProfiler();
  const heapBefore = getHeapStatistics().used_heap_size;
  const cpuBefore = process.cpuUsage();
  profiler.start();
  sink = run(n);
  const cpu = process.cpuUsage(cpuBefore);
  const heapAfter = getHeapStatistics().used_heap_size;
  const freed = (profiler.stop()?.statistics ?? []).reduce(
    (sum, gc) => sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize,
    0,
  );
  return { ns: ((cpu.user + cpu.system) * 1000) / n, bytes: (heapAfter - heapBefore + freed) / n };
}

function ab(name: string, a: (n: number) => unknown, b: (n: number) => unknown): void {
  measure(a, calls);
  measure(b, calls);
  const fa: Figures[] = [];
  const fb: Figures[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      fa.push(measure(a, calls));
      fb.push(measure(b, calls));
    } else {
      fb.push(measure(b, calls));
      fa.push(measure(a, calls));
    }
  }
  const bLower = fa.filter((f, i) => (fb[i] as Figures).ns < f.ns).length;
  const f = (xs: Figures[]): string => `${median(xs.map((x) => x.ns)).toFixed(1)} ns, ${median(xs.map((x) => x.bytes)).toFixed(0)} B`;
  process.stdout.write(`${name}: A ${f(fa)} | B ${f(fb)} per call (B faster in ${bLower} of ${rounds} rounds)\n`);
}

// ---- the implementations before this round ----

function readStringBefore(r: WireReader): string {
  const length = readUint32Short(r);
  const start = r.pos;
  r.pos = Math.min(start + length, r.len);
  return r.buf.toString("utf8", start, r.pos);
}
function readUint32Short(r: WireReader): number {
  const b = r.buf[r.pos++] as number;
  if (b < 128) return b;
  r.pos -= 1;
  return readUint32Wide(r);
}
function readUint32Wide(r: WireReader): number {
  let value = 0;
  for (let i = 0; ; i++) {
    const b = r.buf[r.pos++] as number;
    value |= (b & 127) << (7 * i);
    if (b < 128) return value >>> 0;
  }
}

function utf8ByteLengthBefore(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const isoTimeBefore = (ms: number): string => new Date(ms).toISOString();

function digestBefore(stored: Uint8Array, key: string): boolean {
  const presented = hash("sha256", key, "buffer");
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}

// verifyApiKey before, for a good key: format and checksum, lookup, digest compare.
function verifyBefore(index: KeyIndex, stored: Uint8Array, key: string): boolean {
  const parsed = parseApiKey(key);
  return parsed.ok && index.get(parsed.value.id) !== undefined && digestBefore(stored, key);
}

// ---- inputs ----

const { key } = mintApiKey((n) => new Uint8Array(randomBytes(n)));
type WithHeaders = { attributes: { request: { http: { headers: Record<string, string> } } } };
const headers = (checkRequest(key) as WithHeaders).attributes.request.http.headers;
const texts = Object.entries(headers).flat();
const writer = new WireWriter();
for (const t of texts) writer.string(1, t);
const wire = writer.finish();
const stored = createHash("sha256").update(key).digest();
const keyRecord = recordForKey(key, { subject: "bench@example.com" }, t0Now());
if (!keyRecord.ok) throw new Error("cannot build the bench key record");
const { index } = buildKeyIndex([keyRecord.value]);
function t0Now(): number {
  return Date.UTC(2026, 11, 6);
}
const t0 = Date.UTC(2026, 11, 6, 14, 0, 0, 0);

// The reader here skips each tag byte: every field is tag 0x0a then a string.
function readAll(read: (r: WireReader) => string, n: number): number {
  let total = 0;
  for (let i = 0; i < n; i += texts.length) {
    const r = readerOf(wire);
    while (r.pos < r.len) {
      r.pos += 1;
      total += read(r).length;
    }
  }
  return total;
}
function lengths(fn: (t: string) => number, n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += fn(texts[i % texts.length] as string);
  return total;
}
function writeAll(w: { string(field: number, value: string): unknown; finish(): Buffer }, n: number): number {
  let total = 0;
  for (let i = 0; i < n; i += texts.length) {
    for (const t of texts) w.string(1, t);
    total += w.finish().length;
  }
  return total;
}

// WireWriter.string before: byteLength, then Buffer#write with its argument checks (growing and
// long varints left out: the fixture's texts are short, so A does a little less than B here).
class WriterBefore {
  private buf = Buffer.allocUnsafe(4096);
  private pos = 0;
  string(field: number, value: string): this {
    this.buf[this.pos++] = (field << 3) | 2;
    const bytes = Buffer.byteLength(value, "utf8");
    if (this.pos + 5 + bytes > this.buf.length) throw new Error("bench writer full");
    this.buf[this.pos++] = bytes;
    this.pos += this.buf.write(value, this.pos, bytes, "utf8");
    return this;
  }
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    return out;
  }
}
const writerBefore = new WriterBefore();

const only = process.argv[4];
const want = (name: string): boolean => only === undefined || only === name;
if (want("readString"))
  ab(
    "readString (fixture header names and values)",
    (n) => readAll(readStringBefore, n),
    (n) => readAll(readString, n),
  );
if (want("utf8ByteLength"))
  ab(
    "utf8ByteLength (fixture header names and values)",
    (n) => lengths(utf8ByteLengthBefore, n),
    (n) => lengths(utf8ByteLength, n),
  );
if (want("isoTime"))
  ab(
    "isoTime (a clock moving 0.3 ms per call)",
    (n) => {
      let s = "";
      for (let i = 0; i < n; i++) s = isoTimeBefore(t0 + i * 0.3);
      return s;
    },
    (n) => {
      let s = "";
      for (let i = 0; i < n; i++) s = isoTime(t0 + i * 0.3);
      return s;
    },
  );
if (want("digest"))
  ab(
    "verifyApiKey, a good key (digest as bytes → as hex)",
    (n) => {
      let ok = 0;
      for (let i = 0; i < n; i++) if (verifyBefore(index, stored, key)) ok++;
      return ok;
    },
    (n) => {
      let ok = 0;
      for (let i = 0; i < n; i++) if (verifyApiKey(index, key, t0).kind === "identified") ok++;
      return ok;
    },
  );
if (want("writeString"))
  ab(
    "WireWriter.string (fixture texts)",
    (n) => writeAll(writerBefore, n),
    (n) => writeAll(writer, n),
  );
// replyMessage's trailers listener: `once` wraps the listener in a fresh closure per answer; the
// stream emits wantTrailers once, so `on` with the shared listener does the same work. Measured
// on a plain EventEmitter (a Http2Stream is one), the emitter made afresh per call in both arms.
function trailersListener(this: EventEmitter): void {
  this.emit("sent");
}
if (want("wantTrailers"))
  ab(
    "wantTrailers listener, once → on (fresh EventEmitter per call)",
    (n) => {
      let e;
      for (let i = 0; i < n; i++) {
        e = new EventEmitter();
        e.once("wantTrailers", trailersListener);
        e.emit("wantTrailers");
      }
      return e;
    },
    (n) => {
      let e;
      for (let i = 0; i < n; i++) {
        e = new EventEmitter();
        e.on("wantTrailers", trailersListener);
        e.emit("wantTrailers");
      }
      return e;
    },
  );
void sink;
