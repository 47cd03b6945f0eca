import type { AttributeValue, Identity } from "../identity.ts";
import { SPIFFE_ID_ATTRIBUTE } from "../../policy/subject-predicate.ts";
import { err, ok } from "../../result.ts";
import type { Result } from "../../result.ts";
import { isSpiffeUri, parseSpiffeId } from "./spiffe-id.ts";
import type { SpiffeId } from "./spiffe-id.ts";

// Turns what is known about the TLS peer — from a certificate, an XFCC element, or Envoy's
// principal string alone — into the one Identity shape policies match. Every failure here is an
// identity that is not accepted (mtls_identity_invalid).

export interface SubjectFields {
  readonly cn: string | undefined;
  readonly o: readonly string[];
  readonly ou: readonly string[];
}

export interface PeerEvidence {
  readonly uris: readonly string[];
  readonly dns: readonly string[];
  readonly subjectDn: string; // RFC 4514 text, or XFCC's Subject as sent; "" when unknown
  readonly subjectFields: SubjectFields | undefined; // only from a parsed certificate
  readonly principal: string; // Envoy's source.principal when nothing better is known, else ""
  readonly fingerprint: string; // SHA-256 of the leaf DER, lower-case hex; "" when unknown
  readonly issuer: string; // the verifying CA's subject DN; "" without verification
}

export interface IdentityRules {
  // SPIFFE trust domains accepted; empty accepts any, and then a SPIFFE ID is optional.
  readonly trustDomains: readonly string[];
  // Extra attribute name → the built-in attribute it copies, e.g. { team: "subject_ou" }.
  readonly attributeMap: Readonly<Record<string, BuiltInAttribute>>;
}

// Attribute names an mTLS identity carries (the README documents them). spiffe_id is the one the
// policy engine's `spiffe:` matcher reads.
export const MTLS_ATTRIBUTES = [
  SPIFFE_ID_ATTRIBUTE,
  "spiffe_trust_domain",
  "namespace",
  "service_account",
  "dns",
  "uri",
  "subject_dn",
  "subject_cn",
  "subject_o",
  "subject_ou",
] as const;
export type BuiltInAttribute = (typeof MTLS_ATTRIBUTES)[number];

const MAX_NAMES = 64; // SAN entries; client certificates carry a handful
const MAX_VALUE = 2048;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function identityFromEvidence(evidence: PeerEvidence, rules: IdentityRules): Result<Identity, string> {
  const problem = valuesProblem(evidence);
  if (problem !== undefined) return err(problem);
  const spiffe = spiffeOf(evidence);
  if (!spiffe.ok) return spiffe;
  const domainProblem = trustDomainProblem(spiffe.value, rules.trustDomains);
  if (domainProblem !== undefined) return err(domainProblem);
  const { uris, dns, subjectDn, principal } = evidence;
  const subject = spiffe.value?.id ?? dns[0] ?? (subjectDn || principal || uris[0] || "");
  if (subject === "") return err("the certificate names no identity (no SAN and an empty subject)");
  const attributes = withMappedAttributes(builtInAttributes(evidence, spiffe.value), rules.attributeMap);
  return ok(
    Object.freeze({
      method: "mtls",
      subject,
      issuer: evidence.issuer,
      keyId: evidence.fingerprint,
      groups: Object.freeze([]),
      attributes: Object.freeze(attributes),
    }),
  );
}

function valuesProblem(evidence: PeerEvidence): string | undefined {
  if (evidence.uris.length + evidence.dns.length > MAX_NAMES) return `more than ${MAX_NAMES} subject alternative names`;
  const fields = evidence.subjectFields;
  const all = [
    ...evidence.uris,
    ...evidence.dns,
    evidence.subjectDn,
    evidence.principal,
    ...(fields === undefined ? [] : [fields.cn ?? "", ...fields.o, ...fields.ou]),
  ];
  if (all.some((value) => value.length > MAX_VALUE)) return `a name is longer than ${MAX_VALUE} characters`;
  if (all.some((value) => CONTROL.test(value))) return "a name contains control characters";
  return undefined;
}

// X509-SVID §2: an SVID carries exactly one URI SAN, its SPIFFE ID. A second URI next to a SPIFFE
// ID is refused, not resolved by picking one. A principal is Envoy's first URI SAN at best.
function spiffeOf(evidence: PeerEvidence): Result<SpiffeId | undefined, string> {
  const uris = evidence.uris.length === 0 && isSpiffeUri(evidence.principal) ? [evidence.principal] : evidence.uris;
  if (!uris.some(isSpiffeUri)) return ok(undefined);
  const [only] = uris;
  if (uris.length !== 1 || only === undefined) return err(`a SPIFFE identity has exactly one URI SAN; found ${uris.length}`);
  const parsed = parseSpiffeId(only);
  return parsed.ok ? parsed : err(`invalid SPIFFE ID: ${parsed.error}`);
}

function trustDomainProblem(spiffe: SpiffeId | undefined, allowed: readonly string[]): string | undefined {
  if (allowed.length === 0) return undefined;
  if (spiffe === undefined) return "no SPIFFE ID, and only SPIFFE identities from configured trust domains are accepted";
  return allowed.includes(spiffe.trustDomain) ? undefined : `trust domain "${spiffe.trustDomain}" is not accepted`;
}

function builtInAttributes(evidence: PeerEvidence, spiffe: SpiffeId | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = Object.create(null) as Record<string, AttributeValue>;
  const set = (name: BuiltInAttribute, value: AttributeValue | undefined): void => {
    if (value !== undefined && value.length > 0) out[name] = typeof value === "string" ? value : Object.freeze([...value]);
  };
  set(SPIFFE_ID_ATTRIBUTE, spiffe?.id);
  set("spiffe_trust_domain", spiffe?.trustDomain);
  set("namespace", spiffe?.namespace);
  set("service_account", spiffe?.serviceAccount);
  set("dns", evidence.dns);
  set("uri", evidence.uris);
  set("subject_dn", evidence.subjectDn);
  set("subject_cn", evidence.subjectFields?.cn);
  set("subject_o", evidence.subjectFields?.o);
  set("subject_ou", evidence.subjectFields?.ou);
  return out;
}

// A copied value with one item becomes a plain string, so `identity.attributes.team == "x"`
// works in CEL; several items stay a list (policies match any of them).
function withMappedAttributes(
  attributes: Record<string, AttributeValue>,
  map: Readonly<Record<string, BuiltInAttribute>>,
): Record<string, AttributeValue> {
  for (const [name, from] of Object.entries(map)) {
    const value = attributes[from];
    if (value === undefined) continue;
    attributes[name] = typeof value === "string" || value.length !== 1 ? value : (value[0] ?? "");
  }
  return attributes;
}
