import { err, ok } from "../../result.ts";
import type { Result } from "../../result.ts";
import type { CertificateFacts } from "./certificate-facts.ts";
import { issuerKey } from "./trust-anchors.ts";
import type { TrustAnchors } from "./trust-anchors.ts";

// Verification of a client certificate against configured trust anchors (RFC 5280 path
// validation, reduced to what client identities need). Building the path is time-independent and
// costs signature checks, so the source caches it per certificate and anchor set; the checks that
// depend on `now` run on every request.
//
// Not implemented (documented): name constraints and certificate policies (a CA carrying them, or
// any critical extension we do not understand, cannot be part of a path), CRL/OCSP revocation.

export type VerifyReason = "mtls_untrusted" | "mtls_certificate_expired" | "mtls_certificate_not_yet_valid" | "mtls_certificate_invalid";

export interface VerifyFailure {
  readonly reason: VerifyReason;
  readonly detail: string;
}

// Intermediates the client sent (XFCC Chain) beyond the leaf; anchors end the path.
const MAX_INTERMEDIATES = 4;
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

// Leaf first, anchor last; undefined when no path to an anchor exists.
export function buildPath(
  leaf: CertificateFacts,
  intermediates: readonly CertificateFacts[],
  anchors: TrustAnchors,
): readonly CertificateFacts[] | undefined {
  return findPath(leaf, intermediates, anchors, new Set([leaf]));
}

function findPath(
  current: CertificateFacts,
  intermediates: readonly CertificateFacts[],
  anchors: TrustAnchors,
  used: ReadonlySet<CertificateFacts>,
): CertificateFacts[] | undefined {
  // used.size - 1 intermediates sit between the next issuer and the leaf.
  const below = used.size - 1;
  for (const anchor of anchors.bySubject.get(issuerKey(current.issuer.text)) ?? []) {
    if (below <= anchor.pathLength && issuedBy(current, anchor)) return [current, anchor];
  }
  if (used.size > MAX_INTERMEDIATES) return undefined;
  for (const candidate of intermediates) {
    if (used.has(candidate) || below > candidate.pathLength || !evaluable(candidate) || !issuedBy(current, candidate)) continue;
    const rest = findPath(candidate, intermediates, anchors, new Set([...used, candidate]));
    if (rest !== undefined) return [current, ...rest];
  }
  return undefined;
}

// Constraints we do not evaluate must not be silently skipped (RFC 5280 §4.2): such a CA cannot
// be part of a path. Anchors are checked when the bundle is loaded.
function evaluable(cert: CertificateFacts): boolean {
  return !cert.nameConstrained && cert.unknownCritical.length === 0;
}

// checkIssued compares names and key identifiers (and the issuer's keyCertSign); verify checks
// the signature with the issuer's public key.
function issuedBy(child: CertificateFacts, parent: CertificateFacts): boolean {
  return parent.isCa && child.certificate.checkIssued(parent.certificate) && child.certificate.verify(parent.certificate.publicKey);
}

export function checkValidity(path: readonly CertificateFacts[], now: number): Result<void, VerifyFailure> {
  const [leaf, ...issuers] = path;
  if (leaf !== undefined && now < leaf.notBefore) {
    return err({ reason: "mtls_certificate_not_yet_valid", detail: `the client certificate is valid from ${iso(leaf.notBefore)}` });
  }
  if (leaf !== undefined && now > leaf.notAfter) {
    return err({ reason: "mtls_certificate_expired", detail: `the client certificate expired at ${iso(leaf.notAfter)}` });
  }
  const stale = issuers.find((cert) => now < cert.notBefore || now > cert.notAfter);
  if (stale !== undefined) {
    return err({ reason: "mtls_untrusted", detail: `issuing CA "${stale.subject.text}" is outside its validity period` });
  }
  return ok(undefined);
}

// A CA certificate never identifies a client (X509-SVID §4.1), whether or not a bundle is set.
export function caLeafProblem(leaf: CertificateFacts): string | undefined {
  const signs = leaf.isCa || leaf.keyUsage?.keyCertSign === true;
  return signs ? "the client certificate is a CA certificate (CA:TRUE or keyCertSign)" : undefined;
}

// RFC 5280 §4.2.1.3 / §4.2.1.12: an absent extension means no restriction.
export function usageProblem(leaf: CertificateFacts): string | undefined {
  const [unknown] = leaf.unknownCritical;
  if (unknown !== undefined) return `the client certificate has a critical extension modelgate does not understand (${unknown})`;
  if (leaf.keyUsage !== undefined && !leaf.keyUsage.digitalSignature) return "the client certificate's keyUsage lacks digitalSignature";
  const eku = leaf.extKeyUsage;
  if (eku !== undefined && !eku.includes(CLIENT_AUTH) && !eku.includes(ANY_EXTENDED_KEY_USAGE)) {
    return "the client certificate's extKeyUsage lacks clientAuth";
  }
  return undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
