// The identity-relevant fields of an X.509 certificate, read from its DER (RFC 5280 §4.1):
// subject and issuer names, SAN URIs and DNS names, Key Usage bits and Extended Key Usage OIDs.
// The DER has already been accepted by OpenSSL (node:crypto X509Certificate), so a failure here
// means an encoding OpenSSL tolerates but we will not interpret; the certificate is refused.
import { err, ok } from "../../result.ts";
import type { Result } from "../../result.ts";
import { ascii, childrenOf, contentOf, oidText, readTlv, TAG } from "./der.ts";
import type { Tlv } from "./der.ts";
import { readName } from "./distinguished-name.ts";
import type { DistinguishedName } from "./distinguished-name.ts";

export interface KeyUsage {
  readonly digitalSignature: boolean;
  readonly keyCertSign: boolean;
}

export interface X509Fields {
  readonly subject: DistinguishedName;
  readonly issuer: DistinguishedName;
  readonly uris: readonly string[];
  readonly dns: readonly string[];
  readonly keyUsage: KeyUsage | undefined; // undefined: extension absent (RFC 5280: any usage)
  readonly extKeyUsage: readonly string[] | undefined; // OIDs; undefined: extension absent
  readonly pathLength: number; // basicConstraints pathLenConstraint; Infinity when unconstrained
  readonly nameConstrained: boolean; // carries nameConstraints, which we do not evaluate
  readonly unknownCritical: readonly string[]; // critical extensions we do not interpret
}

const OID = Object.freeze({
  subjectAltName: "2.5.29.17",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  nameConstraints: "2.5.29.30",
});
// Critical extensions whose meaning is fully honoured here or by OpenSSL's checkIssued (key ids).
const UNDERSTOOD = new Set([...Object.values(OID).filter((o) => o !== OID.nameConstraints), "2.5.29.14", "2.5.29.35"]);
const SAN_DNS = 0x82; // [2] IA5String
const SAN_URI = 0x86; // [6] IA5String
const EXTENSIONS = 0xa3; // [3] EXPLICIT
const VERSION = 0xa0; // [0] EXPLICIT

export function readX509Fields(der: Uint8Array): Result<X509Fields, string> {
  const cert = readTlv(der, 0, der.length);
  const parts = cert?.tag === TAG.sequence ? childrenOf(der, cert) : undefined;
  const tbs = parts?.[0];
  const fields = tbs?.tag === TAG.sequence ? childrenOf(der, tbs) : undefined;
  if (fields === undefined) return err("the certificate structure cannot be read");
  const body = fields[0]?.tag === VERSION ? fields.slice(1) : fields;
  // serial, signature, issuer, validity, subject, subjectPublicKeyInfo, then optional fields.
  const issuerTlv = body[2];
  const subjectTlv = body[4];
  const issuer = issuerTlv === undefined ? undefined : readName(der, issuerTlv);
  const subject = subjectTlv === undefined ? undefined : readName(der, subjectTlv);
  if (issuer === undefined || subject === undefined) return err("the certificate's subject or issuer name cannot be read");
  const extensions = readExtensions(
    der,
    body.slice(6).find((f) => f.tag === EXTENSIONS),
  );
  if (!extensions.ok) return extensions;
  return interpret(subject, issuer, extensions.value);
}

function interpret(subject: DistinguishedName, issuer: DistinguishedName, extensions: Map<string, Extension>): Result<X509Fields, string> {
  const bytes = (oid: string) => extensions.get(oid)?.value;
  const san = readOptional(bytes(OID.subjectAltName), readSubjectAltName, { uris: [], dns: [] });
  const keyUsage = readOptional(bytes(OID.keyUsage), readKeyUsage, undefined);
  const extKeyUsage = readOptional(bytes(OID.extKeyUsage), readOidList, undefined);
  const pathLength = readOptional(bytes(OID.basicConstraints), readPathLength, Number.POSITIVE_INFINITY);
  if (san === null) return err("the subjectAltName extension cannot be read");
  if (keyUsage === null) return err("the keyUsage extension cannot be read");
  if (extKeyUsage === null) return err("the extKeyUsage extension cannot be read");
  if (pathLength === null) return err("the basicConstraints extension cannot be read");
  const unknownCritical = [...extensions].filter(([oid, ext]) => ext.critical && !UNDERSTOOD.has(oid)).map(([oid]) => oid);
  const nameConstrained = extensions.has(OID.nameConstraints);
  return ok({ subject, issuer, uris: san.uris, dns: san.dns, keyUsage, extKeyUsage, pathLength, nameConstrained, unknownCritical });
}

// `fallback` when the extension is absent, null when it is present but unreadable.
function readOptional<T, F>(bytes: Uint8Array | undefined, read: (b: Uint8Array) => T | undefined, fallback: F): T | F | null {
  if (bytes === undefined) return fallback;
  return read(bytes) ?? null;
}

interface Extension {
  readonly critical: boolean;
  readonly value: Uint8Array;
}

// extnID → extnValue content. RFC 5280 §4.2: an extension appears at most once; a repeated one
// could show a different SAN to each verifier, so it is refused.
function readExtensions(der: Uint8Array, wrapper: Tlv | undefined): Result<Map<string, Extension>, string> {
  const out = new Map<string, Extension>();
  if (wrapper === undefined) return ok(out);
  const list = childrenOf(der, wrapper)?.[0];
  const items = list?.tag === TAG.sequence ? childrenOf(der, list) : undefined;
  if (items === undefined) return err("the certificate extensions cannot be read");
  for (const item of items) {
    const parts = item.tag === TAG.sequence ? childrenOf(der, item) : undefined;
    if (parts === undefined || parts.length < 2 || parts.length > 3) return err("a certificate extension cannot be read");
    const [oidTlv, flag, valueTlv] = parts.length === 2 ? [parts[0], undefined, parts[1]] : parts;
    const oid = oidTlv?.tag === TAG.oid ? oidText(contentOf(der, oidTlv)) : undefined;
    const badFlag = flag !== undefined && flag.tag !== TAG.boolean;
    if (oid === undefined || badFlag || valueTlv?.tag !== TAG.octetString) return err("a certificate extension cannot be read");
    if (out.has(oid)) return err(`the certificate repeats extension ${oid}`);
    const critical = flag !== undefined && der[flag.start] !== 0;
    out.set(oid, { critical, value: contentOf(der, valueTlv) });
  }
  return ok(out);
}

function readSubjectAltName(bytes: Uint8Array): { uris: string[]; dns: string[] } | undefined {
  const names = sequenceItems(bytes);
  if (names === undefined) return undefined;
  const uris: string[] = [];
  const dns: string[] = [];
  for (const name of names) {
    if (name.tag !== SAN_URI && name.tag !== SAN_DNS) continue; // e-mail, IP, otherName: not identities here
    const text = ascii(contentOf(bytes, name));
    if (text === undefined) return undefined;
    (name.tag === SAN_URI ? uris : dns).push(text);
  }
  return { uris, dns };
}

// KeyUsage ::= BIT STRING; bit 0 digitalSignature, bit 5 keyCertSign (first content byte = unused bits).
function readKeyUsage(bytes: Uint8Array): KeyUsage | undefined {
  const bits = readTlv(bytes, 0, bytes.length);
  if (bits?.tag !== TAG.bitString || bits.end !== bytes.length || bits.end - bits.start < 1) return undefined;
  const first = bytes[bits.start + 1] ?? 0;
  return { digitalSignature: (first & 0x80) !== 0, keyCertSign: (first & 0x04) !== 0 };
}

// BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
function readPathLength(bytes: Uint8Array): number | undefined {
  const items = sequenceItems(bytes);
  const last = items?.[items.length - 1];
  if (items === undefined || items.length > 2) return undefined;
  if (last?.tag !== TAG.integer) return items.every((i) => i.tag === TAG.boolean) ? Number.POSITIVE_INFINITY : undefined;
  const content = contentOf(bytes, last);
  if (content.length === 0 || content.length > 4 || (content[0] ?? 0) >= 0x80) return undefined;
  return content.reduce((n, b) => n * 256 + b, 0);
}

function readOidList(bytes: Uint8Array): string[] | undefined {
  const items = sequenceItems(bytes);
  if (items === undefined) return undefined;
  const oids: string[] = [];
  for (const item of items) {
    const oid = item.tag === TAG.oid ? oidText(contentOf(bytes, item)) : undefined;
    if (oid === undefined) return undefined;
    oids.push(oid);
  }
  return oids;
}

function sequenceItems(bytes: Uint8Array): Tlv[] | undefined {
  const outer = readTlv(bytes, 0, bytes.length);
  if (outer?.tag !== TAG.sequence || outer.end !== bytes.length) return undefined;
  return childrenOf(bytes, outer);
}
