import { createTestPki } from "../../../integration/helpers/test-pki.ts";
import type { TestCert, TestPki } from "../../../integration/helpers/test-pki.ts";

// The certificates the mTLS tests share, generated once per test file with real openssl.
export interface PkiFixture {
  readonly pki: TestPki;
  readonly rootA: TestCert;
  readonly intermediateA: TestCert;
  readonly rootB: TestCert;
  readonly cas: Readonly<Record<CaName, TestCert>>;
  readonly leaves: Readonly<Record<LeafName, TestCert>>;
}

export type CaName = "subA" | "pathLenZero" | "subOfPathLenZero" | "nameConstrained";

export type LeafName =
  | "good"
  | "viaIntermediate"
  | "expired"
  | "notYetValid"
  | "wrongCa"
  | "twoUris"
  | "spiffeAndHttps"
  | "caLeaf"
  | "noSan"
  | "foreignDomain"
  | "dnsOnly"
  | "noDigitalSignature"
  | "serverAuthOnly"
  | "noUsageExtensions"
  | "invalidSpiffe"
  | "analyst"
  | "unknownCritical"
  | "viaSubA"
  | "viaSubOfPathLenZero"
  | "viaNameConstrained";

export const SCORER = "spiffe://cluster.local/ns/batch/sa/scorer";
const DAY = 24 * 3600_000;

export function createPkiFixture(): PkiFixture {
  const pki = createTestPki();
  const rootA = pki.rootCa("Root A");
  const intermediateA = pki.issue(rootA, "Intermediate A", { subject: "/O=modelgate tests/CN=Intermediate A", ca: true });
  const rootB = pki.rootCa("Root B");
  const now = Date.now();
  const ca = (name: CaName, issuer: TestCert, spec: Partial<Parameters<TestPki["issue"]>[2]> = {}): TestCert =>
    pki.issue(issuer, name, { subject: `/O=modelgate tests/CN=${name}`, ca: true, ...spec });
  const subA = ca("subA", intermediateA);
  const pathLenZero = ca("pathLenZero", rootA, { pathLength: 0 });
  const subOfPathLenZero = ca("subOfPathLenZero", pathLenZero);
  const nameConstrained = ca("nameConstrained", rootA, { extraExtensions: ["nameConstraints = critical,permitted;DNS:.example.com"] });
  const cas = { subA, pathLenZero, subOfPathLenZero, nameConstrained };
  const leaf = (name: LeafName, spec: Partial<Parameters<TestPki["issue"]>[2]>, issuer = rootA): TestCert =>
    pki.issue(issuer, name, { subject: `/O=acme/OU=data_science/CN=${name}`, ...spec });
  const leaves: Record<LeafName, TestCert> = {
    good: leaf("good", { subject: "/O=acme/OU=data_science/CN=scorer", uris: [SCORER], dns: ["scorer.batch.svc"] }),
    viaIntermediate: leaf("viaIntermediate", { uris: ["spiffe://cluster.local/ns/batch/sa/worker"] }, intermediateA),
    expired: leaf("expired", { uris: [SCORER], notBefore: new Date("2020-01-01T00:00:00Z"), notAfter: new Date("2021-01-01T00:00:00Z") }),
    notYetValid: leaf("notYetValid", { uris: [SCORER], notBefore: new Date(now + 10 * DAY), notAfter: new Date(now + 20 * DAY) }),
    wrongCa: leaf("wrongCa", { uris: [SCORER] }, rootB),
    twoUris: leaf("twoUris", { uris: [SCORER, "spiffe://cluster.local/ns/batch/sa/other"] }),
    spiffeAndHttps: leaf("spiffeAndHttps", { uris: [SCORER, "https://scorer.example.com/"] }),
    caLeaf: leaf("caLeaf", { uris: [SCORER], ca: true }),
    noSan: leaf("noSan", { subject: "/O=acme/OU=analytics/CN=legacy-client" }),
    foreignDomain: leaf("foreignDomain", { uris: ["spiffe://evil.example/ns/batch/sa/scorer"] }),
    dnsOnly: leaf("dnsOnly", { dns: ["api.partner.example", "backup.partner.example"] }),
    noDigitalSignature: leaf("noDigitalSignature", { uris: [SCORER], keyUsage: "critical,keyEncipherment" }),
    serverAuthOnly: leaf("serverAuthOnly", { uris: [SCORER], extKeyUsage: "serverAuth" }),
    noUsageExtensions: leaf("noUsageExtensions", { uris: [SCORER], keyUsage: null, extKeyUsage: null }),
    invalidSpiffe: leaf("invalidSpiffe", { uris: ["spiffe://Cluster.Local/ns/batch/sa/scorer"] }),
    unknownCritical: leaf("unknownCritical", {
      uris: [SCORER],
      extraExtensions: ["1.3.6.1.4.1.55555.1 = critical,ASN1:UTF8String:must-understand"],
    }),
    viaSubA: leaf("viaSubA", { uris: [SCORER] }, subA),
    viaSubOfPathLenZero: leaf("viaSubOfPathLenZero", { uris: [SCORER] }, subOfPathLenZero),
    viaNameConstrained: leaf("viaNameConstrained", { uris: [SCORER] }, nameConstrained),
    analyst: leaf("analyst", { subject: "/O=acme/OU=analytics/CN=analyst", uris: ["spiffe://cluster.local/ns/reports/sa/analyst"] }),
  };
  return { pki, rootA, intermediateA, rootB, cas, leaves };
}
