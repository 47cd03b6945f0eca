// X.501 Names (certificate subject and issuer) read from DER and rendered as RFC 4514 text,
// the form Envoy uses for `source.principal` when a certificate has no SAN, so an identity read
// from the certificate and one read from the principal alone carry the same subject string.
import { childrenOf, contentOf, encodingOf, oidText, stringValue, TAG } from "./der.ts";
import type { Tlv } from "./der.ts";

export interface NameAttribute {
  readonly oid: string;
  readonly type: string; // short name (CN, O, OU, …) or the dotted OID
  readonly value: string | undefined; // undefined when the value is not a string type
  readonly der: Uint8Array; // the whole AttributeValue TLV, rendered as #hex when not a string
}

export interface DistinguishedName {
  readonly rdns: readonly (readonly NameAttribute[])[]; // in certificate order (most general first)
  readonly text: string; // RFC 4514: most specific RDN first
}

// RFC 4514 §3 names plus the two OpenSSL prints by name, so our text matches Envoy's.
const SHORT_NAMES: Readonly<Record<string, string>> = {
  "2.5.4.3": "CN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "STREET",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "0.9.2342.19200300.100.1.1": "UID",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.2.840.113549.1.9.1": "emailAddress",
};

export function readName(bytes: Uint8Array, name: Tlv): DistinguishedName | undefined {
  if (name.tag !== TAG.sequence) return undefined;
  const sets = childrenOf(bytes, name);
  if (sets === undefined) return undefined;
  const rdns: NameAttribute[][] = [];
  for (const set of sets) {
    const members = set.tag === TAG.set ? childrenOf(bytes, set) : undefined;
    if (members === undefined || members.length === 0) return undefined;
    const rdn: NameAttribute[] = [];
    for (const member of members) {
      const attribute = readAttribute(bytes, member);
      if (attribute === undefined) return undefined;
      rdn.push(attribute);
    }
    rdns.push(rdn);
  }
  return { rdns, text: renderRfc4514(rdns) };
}

// Every value of one attribute type, in certificate order (a subject may carry several OUs).
export function nameValues(name: DistinguishedName, type: string): string[] {
  const out: string[] = [];
  for (const rdn of name.rdns) {
    for (const attribute of rdn) if (attribute.type === type && attribute.value !== undefined) out.push(attribute.value);
  }
  return out;
}

function readAttribute(bytes: Uint8Array, member: Tlv): NameAttribute | undefined {
  const parts = member.tag === TAG.sequence ? childrenOf(bytes, member) : undefined;
  const [oidTlv, valueTlv] = parts ?? [];
  if (parts?.length !== 2 || oidTlv?.tag !== TAG.oid || valueTlv === undefined) return undefined;
  const oid = oidText(contentOf(bytes, oidTlv));
  if (oid === undefined) return undefined;
  return { oid, type: SHORT_NAMES[oid] ?? oid, value: stringValue(bytes, valueTlv), der: encodingOf(bytes, valueTlv) };
}

// OpenSSL's RFC 2253 printer (what Envoy uses) reverses every attribute, including those
// inside a multi-valued RDN; RFC 4514 leaves that order open, so follow OpenSSL.
function renderRfc4514(rdns: readonly (readonly NameAttribute[])[]): string {
  return [...rdns]
    .reverse()
    .map((rdn) => [...rdn].reverse().map(renderAttribute).join("+"))
    .join(",");
}

function renderAttribute(attribute: NameAttribute): string {
  const value = attribute.value === undefined ? `#${Buffer.from(attribute.der).toString("hex")}` : escapeValue(attribute.value);
  return `${attribute.type}=${value}`;
}

// RFC 4514 §2.4; control characters become \XX hex pairs so the text is safe in headers and logs.
function escapeValue(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) out += `\\${code.toString(16).padStart(2, "0").toUpperCase()}`;
    else if ('"+,;<>\\'.includes(ch)) out += `\\${ch}`;
    else if ((i === 0 && (ch === "#" || ch === " ")) || (i === value.length - 1 && ch === " ")) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}
