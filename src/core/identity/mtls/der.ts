// A minimal DER reader for the few certificate fields node:crypto's X509Certificate does not
// expose structurally (SAN entries, Key Usage bits, EKU OIDs, name attributes). Node only offers
// SANs as a display string with its own quoting (CVE-2021-44532 came from parsing that string),
// so identity decisions read the DER instead. Every reader returns undefined on malformed input;
// the caller turns that into a value-level error.

export interface Tlv {
  readonly tag: number;
  readonly offset: number; // the tag byte
  readonly start: number; // first content byte
  readonly end: number; // one past the last content byte
}

export const TAG = Object.freeze({
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  numericString: 0x12,
  printableString: 0x13,
  teletexString: 0x14,
  ia5String: 0x16,
  visibleString: 0x1a,
  universalString: 0x1c,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
});

// Lengths beyond 4 bytes cannot occur in a certificate small enough to reach us.
const MAX_LENGTH_BYTES = 4;

export function readTlv(bytes: Uint8Array, offset: number, limit: number): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = bytes[offset] ?? 0;
  if ((tag & 0x1f) === 0x1f) return undefined; // high tag numbers never appear in the fields we read
  const first = bytes[offset + 1] ?? 0;
  let start = offset + 2;
  let length = first;
  if (first >= 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > MAX_LENGTH_BYTES || start + count > limit) return undefined; // indefinite length is BER, not DER
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[start + i] ?? 0);
    start += count;
  }
  const end = start + length;
  return end <= limit ? { tag, offset, start, end } : undefined;
}

// The elements inside a constructed TLV, or undefined when they do not exactly fill it.
export function childrenOf(bytes: Uint8Array, parent: Tlv): Tlv[] | undefined {
  const out: Tlv[] = [];
  let offset = parent.start;
  while (offset < parent.end) {
    const child = readTlv(bytes, offset, parent.end);
    if (child === undefined) return undefined;
    out.push(child);
    offset = child.end;
  }
  return out;
}

// The whole encoding, tag and length included.
export function encodingOf(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.offset, tlv.end);
}

export function contentOf(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.start, tlv.end);
}

// Dotted-decimal text of an OBJECT IDENTIFIER's content octets.
export function oidText(content: Uint8Array): string | undefined {
  if (content.length === 0 || (content[content.length - 1] ?? 0) >= 0x80) return undefined;
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    if (value > 0x1_0000_0000) return undefined; // far beyond any OID we care about
    value = value * 128 + (byte & 0x7f);
    if (byte < 0x80) {
      arcs.push(value);
      value = 0;
    }
  }
  const head = arcs[0] ?? 0;
  const first = head < 40 ? 0 : head < 80 ? 1 : 2;
  return [first, head - first * 40, ...arcs.slice(1)].join(".");
}

// Text of the ASN.1 string types found in names and SANs; undefined for other tags or bad bytes.
export function stringValue(bytes: Uint8Array, tlv: Tlv): string | undefined {
  const content = contentOf(bytes, tlv);
  switch (tlv.tag) {
    case TAG.utf8String:
      return utf8(content);
    case TAG.printableString:
    case TAG.numericString:
    case TAG.ia5String:
    case TAG.visibleString:
      return ascii(content);
    case TAG.teletexString:
      return latin1(content); // T.61 in theory; every issuer that still emits it means Latin-1
    case TAG.bmpString:
      return content.length % 2 === 0 ? utf16be(content) : undefined;
    case TAG.universalString:
      return utf32be(content);
    default:
      return undefined;
  }
}

export function ascii(content: Uint8Array): string | undefined {
  for (const byte of content) if (byte >= 0x80) return undefined;
  return latin1(content);
}

function utf8(content: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(content);
  } catch {
    return undefined;
  }
}

function latin1(content: Uint8Array): string {
  let out = "";
  for (const byte of content) out += String.fromCharCode(byte);
  return out;
}

function utf16be(content: Uint8Array): string | undefined {
  let out = "";
  for (let i = 0; i < content.length; i += 2) out += String.fromCharCode(((content[i] ?? 0) << 8) | (content[i + 1] ?? 0));
  return out.isWellFormed() ? out : undefined;
}

function utf32be(content: Uint8Array): string | undefined {
  if (content.length % 4 !== 0) return undefined;
  let out = "";
  for (let i = 0; i < content.length; i += 4) {
    const cp = (((content[i] ?? 0) << 24) | ((content[i + 1] ?? 0) << 16) | ((content[i + 2] ?? 0) << 8) | (content[i + 3] ?? 0)) >>> 0;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    out += String.fromCodePoint(cp);
  }
  return out;
}
