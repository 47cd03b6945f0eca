import { createHash, X509Certificate } from "node:crypto";
import { err, ok } from "../../result.ts";
import type { Result } from "../../result.ts";
import { readX509Fields } from "./x509-fields.ts";
import type { X509Fields } from "./x509-fields.ts";

// One parsed certificate with everything identity and verification need, computed once (the
// certificate cache keeps these per PEM) so the hot path never re-parses.
export interface CertificateFacts extends X509Fields {
  readonly certificate: X509Certificate; // for checkIssued / verify(publicKey)
  readonly fingerprint: string; // SHA-256 of the DER, lower-case hex (XFCC's Hash)
  readonly isCa: boolean; // basicConstraints cA
  readonly notBefore: number; // epoch ms
  readonly notAfter: number; // epoch ms
}

export function readCertificate(pemOrDer: string | Uint8Array): Result<CertificateFacts, string> {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pemOrDer);
  } catch (error: unknown) {
    // OpenSSL's message names what failed to decode; it never contains input bytes.
    return err(`not an X.509 certificate (${error instanceof Error ? error.message : String(error)})`);
  }
  const der = new Uint8Array(certificate.raw);
  const fields = readX509Fields(der);
  if (!fields.ok) return fields;
  return ok(
    Object.freeze({
      certificate,
      fingerprint: createHash("sha256").update(der).digest("hex"),
      ...fields.value,
      isCa: certificate.ca,
      notBefore: certificate.validFromDate.getTime(),
      notAfter: certificate.validToDate.getTime(),
    }),
  );
}
