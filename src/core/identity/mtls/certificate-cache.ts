import { createHash } from "node:crypto";
import { err, ok } from "../../result.ts";
import type { Result } from "../../result.ts";
import { readCertificate } from "./certificate-facts.ts";
import type { CertificateFacts } from "./certificate-facts.ts";
import { buildPath } from "./certificate-verify.ts";
import type { TrustAnchors } from "./trust-anchors.ts";
import { singlePemCertificate, splitPemCertificates } from "./pem.ts";

// Parsing a certificate costs tens of microseconds and building its path costs signature
// checks; a busy caller presents the same certificate on every request. Entries are keyed by a
// SHA-256 of the presented PEM text (leaf and chain) and evicted least-recently-used. Failures
// are cached too, so repeating a bad certificate stays cheap. The path is remembered for one
// anchor set: a reloaded bundle is a different object and forces a rebuild.

export interface Presentation {
  readonly parsed: Result<ParsedPresentation, string>;
  // Leaf first, anchor last; undefined when no path exists.
  pathFor(anchors: TrustAnchors): readonly CertificateFacts[] | undefined;
}

export interface ParsedPresentation {
  readonly leaf: CertificateFacts;
  readonly intermediates: readonly CertificateFacts[];
}

export interface CertificateCache {
  presentation(leafPem: string, chainPem: string): Presentation;
  readonly size: number;
}

export const DEFAULT_CERTIFICATE_CACHE_SIZE = 1024;
const MAX_CHAIN = 8;

export function createCertificateCache(capacity: number = DEFAULT_CERTIFICATE_CACHE_SIZE): CertificateCache {
  const entries = new Map<string, Presentation>();
  return {
    get size() {
      return entries.size;
    },
    presentation(leafPem: string, chainPem: string): Presentation {
      const key = createHash("sha256").update(leafPem).update("\u0000").update(chainPem).digest("hex");
      const hit = entries.get(key);
      if (hit !== undefined) {
        entries.delete(key); // re-insert: Map order is the recency order
        entries.set(key, hit);
        return hit;
      }
      const created = newPresentation(parsePresentation(leafPem, chainPem));
      entries.set(key, created);
      if (entries.size > capacity) entries.delete(entries.keys().next().value ?? key);
      return created;
    },
  };
}

function newPresentation(parsed: Result<ParsedPresentation, string>): Presentation {
  let memo: { anchors: TrustAnchors; path: readonly CertificateFacts[] | undefined } | undefined;
  return {
    parsed,
    pathFor(anchors: TrustAnchors) {
      if (!parsed.ok) return undefined;
      if (memo?.anchors !== anchors) memo = { anchors, path: buildPath(parsed.value.leaf, parsed.value.intermediates, anchors) };
      return memo.path;
    },
  };
}

function parsePresentation(leafPem: string, chainPem: string): Result<ParsedPresentation, string> {
  const pem = singlePemCertificate(leafPem);
  const leaf = pem.ok ? readCertificate(pem.value) : pem;
  if (!leaf.ok) return err(`client certificate: ${leaf.error}`);
  const blocks = chainPem === "" ? ok([]) : splitPemCertificates(chainPem);
  if (!blocks.ok) return err(`certificate chain: ${blocks.error}`);
  if (blocks.value.length > MAX_CHAIN) return err(`certificate chain: more than ${MAX_CHAIN} certificates`);
  const intermediates: CertificateFacts[] = [];
  for (const block of blocks.value) {
    const cert = readCertificate(block);
    if (!cert.ok) return err(`certificate chain: ${cert.error}`);
    // Envoy's Chain starts with the leaf itself.
    if (cert.value.fingerprint !== leaf.value.fingerprint) intermediates.push(cert.value);
  }
  return ok({ leaf: leaf.value, intermediates });
}
