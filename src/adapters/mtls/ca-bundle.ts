import { readFile } from "node:fs/promises";
import type { SourceText } from "../files/file-backed-store.ts";
import { readCertificate } from "../../core/identity/mtls/certificate-facts.ts";
import type { CertificateFacts } from "../../core/identity/mtls/certificate-facts.ts";
import { splitPemCertificates } from "../../core/identity/mtls/pem.ts";
import { buildTrustAnchors } from "../../core/identity/mtls/trust-anchors.ts";
import type { TrustAnchors } from "../../core/identity/mtls/trust-anchors.ts";
import { err } from "../../core/result.ts";
import type { Issue, Result } from "../../core/result.ts";

// The CA bundle for client certificate verification: one PEM file of CA certificates (comments
// between blocks allowed, as in distribution bundles). The whole file is rejected when any block
// is not a CA certificate, so a reload with a mistake keeps the previous bundle serving.

export const MAX_CA_BUNDLE_BYTES = 4 * 1024 * 1024;

export async function loadCaBundle(path: string): Promise<Result<TrustAnchors, Issue[]>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error: unknown) {
    return err([{ path, message: `cannot read the CA bundle: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  return parseCaBundleText(text, path);
}

export function parseCaBundleText(text: string, fileName: string): Result<TrustAnchors, Issue[]> {
  if (text.length > MAX_CA_BUNDLE_BYTES) return err([{ path: fileName, message: `is larger than ${MAX_CA_BUNDLE_BYTES} bytes` }]);
  const blocks = splitPemCertificates(text);
  if (!blocks.ok) return err([{ path: fileName, message: blocks.error }]);
  const certificates: CertificateFacts[] = [];
  const issues: Issue[] = [];
  blocks.value.forEach((block, i) => {
    const cert = readCertificate(block);
    if (cert.ok) certificates.push(cert.value);
    else issues.push({ path: `${fileName}[${i}]`, message: cert.error });
  });
  return issues.length > 0 ? err(issues) : buildTrustAnchors(certificates, fileName);
}

// The `build` function for a FileBackedStore watching the bundle file (reload on change).
export function buildCaBundle(sources: readonly SourceText[]): Result<TrustAnchors, readonly Issue[]> {
  const [only] = sources;
  if (sources.length !== 1 || only === undefined) return err([{ path: "caFile", message: "expected exactly one CA bundle file" }]);
  return parseCaBundleText(only.text, only.name);
}
