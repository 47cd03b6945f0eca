import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Identity, SourceOutcome } from "../../../../src/core/identity/identity.ts";
import { createCertificateCache } from "../../../../src/core/identity/mtls/certificate-cache.ts";
import { readCertificate } from "../../../../src/core/identity/mtls/certificate-facts.ts";
import { DEFAULT_MTLS_CONFIG } from "../../../../src/core/identity/mtls/mtls-config.ts";
import type { MtlsConfig } from "../../../../src/core/identity/mtls/mtls-config.ts";
import { MTLS_SCHEME, mtlsSource } from "../../../../src/core/identity/mtls/mtls-source.ts";
import type { MtlsSourceOptions } from "../../../../src/core/identity/mtls/mtls-source.ts";
import { buildTrustAnchors } from "../../../../src/core/identity/mtls/trust-anchors.ts";
import type { TrustAnchors } from "../../../../src/core/identity/mtls/trust-anchors.ts";
import { parseXfcc } from "../../../../src/core/identity/mtls/xfcc-parse.ts";
import type { XfccMode } from "../../../../src/core/identity/mtls/xfcc-trust.ts";
import { request } from "../../policy/builders.ts";
import { urlEncodedPem } from "../../../integration/helpers/test-pki.ts";
import { createPkiFixture, SCORER } from "./pki-fixture.ts";
import type { LeafName, PkiFixture } from "./pki-fixture.ts";

let fx: PkiFixture;
let anchorsA: TrustAnchors;
let anchorsAB: TrustAnchors;

beforeAll(() => {
  fx = createPkiFixture();
  anchorsA = anchorsOf(fx.rootA.pem);
  anchorsAB = anchorsOf(fx.rootA.pem, fx.intermediateA.pem);
});
afterAll(() => fx.pki.cleanup());

function anchorsOf(...pems: string[]): TrustAnchors {
  const certs = pems.map((pem) => {
    const cert = readCertificate(pem);
    if (!cert.ok) throw new Error(cert.error);
    return cert.value;
  });
  const anchors = buildTrustAnchors(certs, "test");
  if (!anchors.ok) throw new Error(JSON.stringify(anchors.error));
  return anchors.value;
}

interface Setup {
  readonly bundle?: "A" | "A+intermediate" | "not loaded";
  readonly trustDomains?: readonly string[];
  readonly xfcc?: XfccMode;
  readonly trustedHops?: number;
  readonly attributes?: MtlsConfig["attributes"];
}

function source(setup: Setup) {
  const config: MtlsConfig = {
    ...DEFAULT_MTLS_CONFIG,
    trustDomains: setup.trustDomains ?? ["cluster.local"],
    attributes: setup.attributes ?? {},
    xfcc: { ...DEFAULT_MTLS_CONFIG.xfcc, mode: setup.xfcc ?? "ignore", trustedHops: setup.trustedHops ?? 1 },
  };
  const anchors = { A: () => anchorsA, "A+intermediate": () => anchorsAB, "not loaded": () => undefined }[setup.bundle ?? "A"];
  const options: MtlsSourceOptions = setup.bundle === undefined ? { config } : { config, anchors };
  return mtlsSource(options);
}

interface Presented {
  readonly certificate?: string;
  readonly principal?: string;
  readonly xfcc?: string;
}

function requestWith(p: Presented) {
  const headers = new Map(p.xfcc === undefined ? [] : [["x-forwarded-client-cert", p.xfcc]]);
  return request({ headers, peer: { address: "10.0.0.7:1234", principal: p.principal ?? "", certificate: p.certificate ?? "" } });
}

function summary(outcome: SourceOutcome): string {
  if (outcome.kind === "identified") return `identified ${outcome.identity.subject}`;
  if (outcome.kind === "rejected") return outcome.reason;
  return "absent";
}

const NOW = () => Date.now();
const pem = (name: LeafName) => fx.leaves[name].pem;
const withBundle: Setup = { bundle: "A" };
const noBundle: Setup = {};
const noBundleAnyDomain: Setup = { trustDomains: [] };

describe("mtlsSource with source.certificate", () => {
  it.each<[string, LeafName, Setup, string]>([
    ["a SPIFFE leaf from the trusted CA", "good", withBundle, `identified ${SCORER}`],
    ["expired", "expired", withBundle, "mtls_certificate_expired"],
    ["not yet valid", "notYetValid", withBundle, "mtls_certificate_not_yet_valid"],
    ["issued by another CA", "wrongCa", withBundle, "mtls_untrusted"],
    ["two URI SANs", "twoUris", withBundle, "mtls_identity_invalid"],
    ["a SPIFFE URI next to an https URI", "spiffeAndHttps", withBundle, "mtls_identity_invalid"],
    ["a CA certificate as the leaf", "caLeaf", withBundle, "mtls_certificate_invalid"],
    ["no SAN while trust domains are configured", "noSan", withBundle, "mtls_identity_invalid"],
    [
      "no SAN, any identity accepted: the subject DN",
      "noSan",
      { bundle: "A", trustDomains: [] },
      "identified CN=legacy-client,OU=analytics,O=acme",
    ],
    ["a foreign trust domain", "foreignDomain", withBundle, "mtls_identity_invalid"],
    [
      "DNS SANs only, any identity accepted: the first DNS name",
      "dnsOnly",
      { bundle: "A", trustDomains: [] },
      "identified api.partner.example",
    ],
    ["keyUsage without digitalSignature", "noDigitalSignature", withBundle, "mtls_certificate_invalid"],
    ["extKeyUsage without clientAuth", "serverAuthOnly", withBundle, "mtls_certificate_invalid"],
    ["no keyUsage or extKeyUsage at all (RFC 5280: unrestricted)", "noUsageExtensions", withBundle, `identified ${SCORER}`],
    ["an invalid SPIFFE ID (upper-case trust domain)", "invalidSpiffe", withBundle, "mtls_identity_invalid"],
    ["a critical extension nobody here understands", "unknownCritical", withBundle, "mtls_certificate_invalid"],
    ["issued by an intermediate the bundle lacks", "viaIntermediate", withBundle, "mtls_untrusted"],
    [
      "issued by an intermediate in the bundle",
      "viaIntermediate",
      { bundle: "A+intermediate" },
      "identified spiffe://cluster.local/ns/batch/sa/worker",
    ],
    ["bundle configured but not loaded: fail closed", "good", { bundle: "not loaded" }, "mtls_untrusted"],
    ["no bundle: Envoy's validation is the only check (expired passes)", "expired", noBundle, `identified ${SCORER}`],
    ["no bundle: another CA passes", "wrongCa", noBundle, `identified ${SCORER}`],
    ["no bundle: a CA leaf is still refused", "caLeaf", noBundle, "mtls_certificate_invalid"],
    ["no bundle: two URI SANs are still refused", "twoUris", noBundle, "mtls_identity_invalid"],
    ["no bundle: foreign trust domain is still refused", "foreignDomain", noBundle, "mtls_identity_invalid"],
    [
      "no bundle, any trust domain: foreign domain passes",
      "foreignDomain",
      noBundleAnyDomain,
      "identified spiffe://evil.example/ns/batch/sa/scorer",
    ],
  ])("%s", async (_name, leaf, setup, expected) => {
    const outcome = await source(setup).identify(requestWith({ certificate: pem(leaf) }), NOW());
    expect(summary(outcome)).toBe(expected);
    if (outcome.kind === "rejected") expect(outcome.scheme).toBe(MTLS_SCHEME);
  });

  it.each<[string, string]>([
    ["not PEM", "hello"],
    ["two certificates", "CERTS2"],
    ["a private key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"],
    ["base64 that is not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"],
  ])("refuses a certificate field that is %s", async (_name, text) => {
    const certificate = text === "CERTS2" ? pem("good") + pem("analyst") : text;
    const outcome = await source(withBundle).identify(requestWith({ certificate }), NOW());
    expect(summary(outcome)).toBe("mtls_certificate_invalid");
  });

  it("builds the documented identity and attributes from a verified certificate", async () => {
    const outcome = await source({ bundle: "A", attributes: { team: "subject_ou", org: "subject_o" } }).identify(
      requestWith({ certificate: pem("good") }),
      NOW(),
    );
    expect(outcome.kind).toBe("identified");
    const identity = (outcome as { identity: Identity }).identity;
    const fingerprint = readCertificate(pem("good"));
    expect(identity).toEqual({
      method: "mtls",
      subject: SCORER,
      issuer: "CN=Root A,O=modelgate tests",
      keyId: fingerprint.ok ? fingerprint.value.fingerprint : "?",
      groups: [],
      attributes: {
        spiffe_id: SCORER,
        spiffe_trust_domain: "cluster.local",
        namespace: "batch",
        service_account: "scorer",
        dns: ["scorer.batch.svc"],
        uri: [SCORER],
        subject_dn: "CN=scorer,OU=data_science,O=acme",
        subject_cn: "scorer",
        subject_o: ["acme"],
        subject_ou: ["data_science"],
        team: "data_science",
        org: "acme",
      },
    });
    expect(identity.keyId).toMatch(/^[0-9a-f]{64}$/);
  });

  it("names the intermediate as issuer when it verified the leaf", async () => {
    const outcome = await source({ bundle: "A+intermediate" }).identify(requestWith({ certificate: pem("viaIntermediate") }), NOW());
    expect(outcome.kind === "identified" && outcome.identity.issuer).toBe("CN=Intermediate A,O=modelgate tests");
  });

  it("re-verifies cached certificates when the bundle is replaced", async () => {
    let current = anchorsA;
    const cache = createCertificateCache(8);
    const src = mtlsSource({ config: DEFAULT_MTLS_CONFIG, anchors: () => current, cache });
    const req = requestWith({ certificate: pem("good") });
    expect(summary(await src.identify(req, NOW()))).toBe(`identified ${SCORER}`);
    current = anchorsOf(fx.rootB.pem);
    expect(summary(await src.identify(req, NOW()))).toBe("mtls_untrusted");
    expect(cache.size).toBe(1);
  });

  it("evicts the least recently used certificate beyond the cache size", async () => {
    const cache = createCertificateCache(2);
    const src = mtlsSource({ config: { ...DEFAULT_MTLS_CONFIG, trustDomains: [] }, anchors: () => anchorsA, cache });
    for (const leaf of ["good", "analyst", "dnsOnly", "good"] as const) await src.identify(requestWith({ certificate: pem(leaf) }), NOW());
    expect(cache.size).toBe(2);
  });
});

describe("mtlsSource with source.principal only", () => {
  it.each<[string, string, Setup, string]>([
    ["a SPIFFE principal", SCORER, noBundle, `identified ${SCORER}`],
    ["a SPIFFE principal from a foreign trust domain", "spiffe://evil.example/ns/a/sa/b", noBundle, "mtls_identity_invalid"],
    ["an invalid SPIFFE principal", "spiffe://td/a//b", noBundleAnyDomain, "mtls_identity_invalid"],
    ["a DN principal while SPIFFE is required", "CN=legacy,O=acme", noBundle, "mtls_identity_invalid"],
    ["a DN principal, any identity accepted", "CN=legacy,O=acme", noBundleAnyDomain, "identified CN=legacy,O=acme"],
    ["a principal that cannot be verified against the configured bundle", SCORER, withBundle, "mtls_certificate_invalid"],
  ])("%s", async (_name, principal, setup, expected) => {
    expect(summary(await source(setup).identify(requestWith({ principal }), NOW()))).toBe(expected);
  });

  it("derives SPIFFE attributes from the principal and leaves keyId and issuer empty", async () => {
    const outcome = await source(noBundle).identify(requestWith({ principal: SCORER }), NOW());
    expect(outcome.kind === "identified" && outcome.identity).toMatchObject({
      keyId: "",
      issuer: "",
      attributes: { spiffe_id: SCORER, namespace: "batch", service_account: "scorer", spiffe_trust_domain: "cluster.local" },
    });
  });

  it("is absent when the connection carries no client identity", async () => {
    expect(summary(await source(withBundle).identify(requestWith({}), NOW()))).toBe("absent");
  });
});

function xfccFor(leaf: LeafName, extra = ""): string {
  const facts = readCertificate(pem(leaf));
  const hash = facts.ok ? facts.value.fingerprint : "";
  return `By=spiffe://cluster.local/ns/ml/sa/envoy;Hash=${hash};Cert="${urlEncodedPem(pem(leaf))}"${extra}`;
}

describe("mtlsSource with x-forwarded-client-cert", () => {
  it.each<[string, Presented, Setup, string]>([
    ["ignore: a forged header is not read", { xfcc: "XFCC_GOOD" }, withBundle, "absent"],
    [
      "ignore: a forged header beside a principal leaves the principal",
      { xfcc: "XFCC_GOOD", principal: "spiffe://cluster.local/ns/x/sa/y" },
      noBundle,
      "identified spiffe://cluster.local/ns/x/sa/y",
    ],
    [
      "sanitize-set: the element's certificate is verified",
      { xfcc: "XFCC_GOOD" },
      { bundle: "A", xfcc: "sanitize-set" },
      `identified ${SCORER}`,
    ],
    ["sanitize-set: an expired certificate", { xfcc: "XFCC_EXPIRED" }, { bundle: "A", xfcc: "sanitize-set" }, "mtls_certificate_expired"],
    ["sanitize-set: Hash that does not match Cert", { xfcc: "XFCC_BAD_HASH" }, { bundle: "A", xfcc: "sanitize-set" }, "xfcc_malformed"],
    ["sanitize-set: two elements", { xfcc: "XFCC_TWO" }, { bundle: "A", xfcc: "sanitize-set" }, "xfcc_malformed"],
    ["sanitize-set: a malformed header", { xfcc: 'URI="spiffe://cluster.local/ns/a/sa/b' }, { xfcc: "sanitize-set" }, "xfcc_malformed"],
    [
      "sanitize-set: no Cert while a bundle must verify it",
      { xfcc: `URI=${SCORER}` },
      { bundle: "A", xfcc: "sanitize-set" },
      "mtls_certificate_invalid",
    ],
    [
      "sanitize-set, no bundle: URI SAN from the element",
      { xfcc: `Hash=${"ab".repeat(32)};URI=${SCORER}` },
      { xfcc: "sanitize-set" },
      `identified ${SCORER}`,
    ],
    [
      "sanitize-set, no bundle: two URI SANs",
      { xfcc: `URI=${SCORER};URI=spiffe://cluster.local/ns/a/sa/b` },
      { xfcc: "sanitize-set" },
      "mtls_identity_invalid",
    ],
    [
      "sanitize-set, no bundle: an element naming nobody",
      { xfcc: "By=spiffe://cluster.local/ns/ml/sa/envoy;URI=" },
      { xfcc: "sanitize-set" },
      "mtls_identity_invalid",
    ],
    [
      "append: the last element decides, a forged first one is ignored",
      { xfcc: "XFCC_FORGED_FIRST" },
      { bundle: "A", xfcc: "append" },
      "mtls_untrusted",
    ],
    [
      "append 2: the element before our proxy's",
      { xfcc: "XFCC_FORGED_FIRST" },
      { bundle: "A", xfcc: "append", trustedHops: 2 },
      `identified ${SCORER}`,
    ],
    [
      "append: an intermediate from the element's Chain",
      { xfcc: "XFCC_CHAIN" },
      { bundle: "A", xfcc: "append" },
      "identified spiffe://cluster.local/ns/batch/sa/worker",
    ],
    ["append: two intermediates from the Chain", { xfcc: "XFCC_SUB_A" }, { bundle: "A", xfcc: "append" }, `identified ${SCORER}`],
    ["append: a Chain that breaks a CA's pathlen:0", { xfcc: "XFCC_PATHLEN" }, { bundle: "A", xfcc: "append" }, "mtls_untrusted"],
    [
      "append: a Chain through a CA with nameConstraints (not evaluated, so refused)",
      { xfcc: "XFCC_NAME_CONSTRAINED" },
      { bundle: "A", xfcc: "append" },
      "mtls_untrusted",
    ],
    [
      "source.certificate wins over a trusted header",
      { certificate: "analyst", xfcc: "XFCC_GOOD" },
      { bundle: "A", xfcc: "sanitize-set" },
      "identified spiffe://cluster.local/ns/reports/sa/analyst",
    ],
    [
      "a trusted header wins over the principal",
      { principal: "spiffe://cluster.local/ns/ml/sa/gateway", xfcc: `URI=${SCORER}` },
      { xfcc: "sanitize-set" },
      `identified ${SCORER}`,
    ],
  ])("%s", async (_name, presented, setup, expected) => {
    const headers: Record<string, string> = {
      XFCC_GOOD: xfccFor("good"),
      XFCC_EXPIRED: xfccFor("expired"),
      XFCC_BAD_HASH: xfccFor("good").replace(/Hash=[0-9a-f]{64}/, `Hash=${"0".repeat(64)}`),
      XFCC_TWO: `${xfccFor("good")},${xfccFor("good")}`,
      XFCC_FORGED_FIRST: `${xfccFor("good")},${xfccFor("wrongCa")}`,
      XFCC_CHAIN: `${xfccFor("viaIntermediate")};Chain="${urlEncodedPem(pem("viaIntermediate") + fx.intermediateA.pem)}"`,
      XFCC_SUB_A: `${xfccFor("viaSubA")};Chain="${urlEncodedPem(pem("viaSubA") + fx.cas.subA.pem + fx.intermediateA.pem)}"`,
      XFCC_PATHLEN: `${xfccFor("viaSubOfPathLenZero")};Chain="${urlEncodedPem(pem("viaSubOfPathLenZero") + fx.cas.subOfPathLenZero.pem + fx.cas.pathLenZero.pem)}"`,
      XFCC_NAME_CONSTRAINED: `${xfccFor("viaNameConstrained")};Chain="${urlEncodedPem(pem("viaNameConstrained") + fx.cas.nameConstrained.pem)}"`,
    };
    const xfcc = presented.xfcc === undefined ? undefined : (headers[presented.xfcc] ?? presented.xfcc);
    const certificate = presented.certificate === undefined ? undefined : pem(presented.certificate as LeafName);
    const req = requestWith({
      ...presented,
      ...(xfcc === undefined ? {} : { xfcc }),
      ...(certificate === undefined ? {} : { certificate }),
    });
    expect(summary(await source(setup).identify(req, NOW()))).toBe(expected);
  });

  it("never yields an identity from a header the parser calls malformed", async () => {
    const src = source({ xfcc: "sanitize-set", trustDomains: [] });
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.constantFrom(...'URIDNSHash=,;"\\ :/%a'), maxLength: 80 }), async (header) => {
        const outcome = await src.identify(requestWith({ xfcc: header }), NOW());
        if (!parseXfcc(header).ok) expect(outcome).toMatchObject({ kind: "rejected", reason: "xfcc_malformed" });
        else expect(outcome.kind).not.toBe("absent");
      }),
      { numRuns: 1000 },
    );
  });
});
