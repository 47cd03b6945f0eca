import { err, ok } from "../../result.ts";
import type { Issue, Result } from "../../result.ts";
import type { CertificateFacts } from "./certificate-facts.ts";

// The CA certificates a presented client certificate must chain to. Every certificate in the
// bundle is an anchor (roots and, if an operator adds them, intermediates), as with Envoy's
// trusted_ca. Immutable: a reloaded bundle is a new value, which also invalidates cached paths.
export interface TrustAnchors {
  readonly certificates: readonly CertificateFacts[];
  // Candidate issuers by lower-cased subject DN; checkIssued/verify make the real decision.
  readonly bySubject: ReadonlyMap<string, readonly CertificateFacts[]>;
}

// `where` names the bundle in issues, e.g. the file path.
export function buildTrustAnchors(certificates: readonly CertificateFacts[], where: string): Result<TrustAnchors, Issue[]> {
  const issues: Issue[] = [];
  if (certificates.length === 0) issues.push({ path: where, message: "contains no CERTIFICATE blocks" });
  certificates.forEach((cert, i) => {
    const problem = anchorProblem(cert);
    if (problem !== undefined) issues.push({ path: `${where}[${i}]`, message: `"${cert.subject.text}" ${problem}` });
  });
  if (issues.length > 0) return err(issues);
  const bySubject = new Map<string, CertificateFacts[]>();
  for (const cert of certificates) {
    const key = issuerKey(cert.subject.text);
    bySubject.set(key, [...(bySubject.get(key) ?? []), cert]);
  }
  return ok(Object.freeze({ certificates: Object.freeze([...certificates]), bySubject }));
}

export function issuerKey(dn: string): string {
  return dn.toLowerCase();
}

// A leaf in the bundle would let whoever holds its key sign client certificates OpenSSL rejects
// but a careless verifier accepts; refuse the bundle so the mistake is seen at load time.
function anchorProblem(cert: CertificateFacts): string | undefined {
  if (!cert.isCa) return "is not a CA certificate (basicConstraints CA:TRUE is required)";
  if (cert.keyUsage !== undefined && !cert.keyUsage.keyCertSign) return "has a keyUsage without keyCertSign";
  if (cert.nameConstrained) return "has nameConstraints, which modelgate does not evaluate";
  if (cert.unknownCritical.length > 0) return `has critical extensions modelgate does not understand (${cert.unknownCritical.join(", ")})`;
  return undefined;
}
