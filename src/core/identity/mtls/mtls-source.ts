import type { SourceOutcome } from "../identity.ts";
import type { DenyReason } from "../../reason.ts";
import type { NormalizedRequest } from "../../request/normalized-request.ts";
import { err, ok } from "../../result.ts";
import type { Result } from "../../result.ts";
import { ABSENT } from "../sources.ts";
import type { IdentitySource } from "../sources.ts";
import { createCertificateCache } from "./certificate-cache.ts";
import type { CertificateCache, Presentation } from "./certificate-cache.ts";
import type { CertificateFacts } from "./certificate-facts.ts";
import { caLeafProblem, checkValidity, usageProblem } from "./certificate-verify.ts";
import type { VerifyFailure } from "./certificate-verify.ts";
import { nameValues } from "./distinguished-name.ts";
import type { MtlsConfig } from "./mtls-config.ts";
import { identityFromEvidence } from "./peer-identity.ts";
import type { IdentityRules, PeerEvidence } from "./peer-identity.ts";
import type { TrustAnchors } from "./trust-anchors.ts";
import { XFCC_HEADER } from "./xfcc-parse.ts";
import type { XfccElement } from "./xfcc-parse.ts";
import { selectXfccElement } from "./xfcc-trust.ts";

// The mTLS identity source. Evidence, strongest first:
// 1. source.certificate — the leaf Envoy took from the TLS handshake (include_peer_certificate);
// 2. the trusted x-forwarded-client-cert element — only in a configured trust mode;
// 3. source.principal — Envoy's summary of the peer certificate (URI SAN, else DNS SAN, else Subject).
// The first present one decides; none present means the source is absent.
//
// With a CA bundle (`anchors`), the certificate must chain to it, be inside its validity period
// and carry client usage; evidence without a certificate is then refused, because it cannot be
// verified. Without a bundle, Envoy's DownstreamTlsContext validation is the only check and its
// principal or certificate is taken as verified.

export interface MtlsSourceOptions {
  readonly name?: string; // default "mtls"
  readonly config: MtlsConfig;
  // The current CA bundle, called per request so a reloaded bundle takes effect. Omit it when no
  // bundle is configured; when it returns undefined (configured, not loaded) every certificate
  // is refused rather than accepted unverified.
  readonly anchors?: () => TrustAnchors | undefined;
  readonly cache?: CertificateCache;
}

// No registered HTTP authentication scheme names client certificates; this one only labels the
// WWW-Authenticate challenge so a 401 says which credential was refused.
export const MTLS_SCHEME = "MutualTLS";

interface Context {
  readonly rules: IdentityRules;
  readonly config: MtlsConfig;
  readonly anchors: (() => TrustAnchors | undefined) | undefined;
  readonly cache: CertificateCache;
}

export function mtlsSource(options: MtlsSourceOptions): IdentitySource {
  const { config } = options;
  const context: Context = {
    rules: { trustDomains: config.trustDomains, attributeMap: config.attributes },
    config,
    anchors: options.anchors,
    cache: options.cache ?? createCertificateCache(config.cacheSize),
  };
  return Object.freeze({
    name: options.name ?? "mtls",
    scheme: MTLS_SCHEME,
    // A trusted XFCC element is an identity claim modelgate acted on; upstream gets the decided
    // identity in x-modelgate-subject instead. With mode `ignore` the header is not read, and
    // Envoy's own forward_client_cert_details governs it.
    credentialHeaders: config.xfcc.mode === "ignore" ? [] : [XFCC_HEADER],
    identify: (req: NormalizedRequest, now: number): SourceOutcome => identifyPeer(req, now, context),
  });
}

function identifyPeer(req: NormalizedRequest, now: number, context: Context): SourceOutcome {
  const { certificate, principal } = req.peer;
  if (certificate !== "") return fromCertificate(certificate, "", undefined, now, context);
  const selection = selectXfccElement(req.headers.get(XFCC_HEADER), context.config.xfcc);
  if (selection.kind === "malformed") return rejected("xfcc_malformed", selection.detail);
  if (selection.kind === "selected") return fromXfccElement(selection.element, now, context);
  if (principal !== "") return fromPrincipal(principal, context);
  return ABSENT;
}

function fromCertificate(leafPem: string, chainPem: string, hash: string | undefined, now: number, context: Context): SourceOutcome {
  const presentation = context.cache.presentation(leafPem, chainPem);
  if (!presentation.parsed.ok) return rejected("mtls_certificate_invalid", presentation.parsed.error);
  const { leaf } = presentation.parsed.value;
  if (hash !== undefined && hash !== leaf.fingerprint) {
    return rejected("xfcc_malformed", "x-forwarded-client-cert: Hash does not match Cert");
  }
  const caProblem = caLeafProblem(leaf);
  if (caProblem !== undefined) return rejected("mtls_certificate_invalid", caProblem);
  const issuer = verify(presentation, leaf, now, context.anchors);
  if (!issuer.ok) return rejected(issuer.error.reason, issuer.error.detail);
  return fromEvidence(certificateEvidence(leaf, issuer.value), context);
}

// The verifying CA's subject DN, or "" when no bundle is configured.
function verify(
  presentation: Presentation,
  leaf: CertificateFacts,
  now: number,
  anchorsOf: (() => TrustAnchors | undefined) | undefined,
): Result<string, VerifyFailure> {
  if (anchorsOf === undefined) return ok("");
  const anchors = anchorsOf();
  if (anchors === undefined) return err({ reason: "mtls_untrusted", detail: "the CA bundle is not loaded" });
  const path = presentation.pathFor(anchors);
  if (path === undefined) {
    return err({ reason: "mtls_untrusted", detail: `no trusted CA issued the client certificate (issuer "${leaf.issuer.text}")` });
  }
  const valid = checkValidity(path, now);
  if (!valid.ok) return valid;
  const usage = usageProblem(leaf);
  if (usage !== undefined) return err({ reason: "mtls_certificate_invalid", detail: usage });
  return ok(path[1]?.subject.text ?? "");
}

function fromXfccElement(element: XfccElement, now: number, context: Context): SourceOutcome {
  if (element.cert !== undefined) return fromCertificate(element.cert, element.chain ?? "", element.hash, now, context);
  if (context.anchors !== undefined) {
    return rejected(
      "mtls_certificate_invalid",
      "a CA bundle is configured, but the x-forwarded-client-cert element has no Cert to verify (set Envoy's set_current_client_cert_details.cert)",
    );
  }
  const { uris, dns, subject, hash } = element;
  return fromEvidence(
    { uris, dns, subjectDn: subject ?? "", subjectFields: undefined, principal: "", fingerprint: hash ?? "", issuer: "" },
    context,
  );
}

function fromPrincipal(principal: string, context: Context): SourceOutcome {
  if (context.anchors !== undefined) {
    return rejected(
      "mtls_certificate_invalid",
      "a CA bundle is configured, but Envoy sent no certificate to verify (set include_peer_certificate: true)",
    );
  }
  return fromEvidence({ uris: [], dns: [], subjectDn: "", subjectFields: undefined, principal, fingerprint: "", issuer: "" }, context);
}

function certificateEvidence(leaf: CertificateFacts, issuer: string): PeerEvidence {
  const fields = { cn: nameValues(leaf.subject, "CN")[0], o: nameValues(leaf.subject, "O"), ou: nameValues(leaf.subject, "OU") };
  return {
    uris: leaf.uris,
    dns: leaf.dns,
    subjectDn: leaf.subject.text,
    subjectFields: fields,
    principal: "",
    fingerprint: leaf.fingerprint,
    issuer,
  };
}

function fromEvidence(evidence: PeerEvidence, context: Context): SourceOutcome {
  const identity = identityFromEvidence(evidence, context.rules);
  if (!identity.ok) return rejected("mtls_identity_invalid", identity.error);
  return { kind: "identified", identity: identity.value };
}

function rejected(reason: DenyReason, detail: string): SourceOutcome {
  return { kind: "rejected", reason, scheme: MTLS_SCHEME, detail };
}
