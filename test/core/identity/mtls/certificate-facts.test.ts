import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCertificate } from "../../../../src/core/identity/mtls/certificate-facts.ts";
import { readX509Fields } from "../../../../src/core/identity/mtls/x509-fields.ts";
import { createTestPki } from "../../../integration/helpers/test-pki.ts";
import type { TestCert, TestPki } from "../../../integration/helpers/test-pki.ts";

// Certificate fields read from DER, checked against what openssl itself prints for the same file.

let pki: TestPki;
const certs: Record<string, TestCert> = {};

const SUBJECTS: Record<string, string> = {
  plain: "/O=acme/OU=data_science/CN=scorer",
  "several OUs": "/C=DE/O=acme/OU=ml/OU=platform/CN=svc",
  "special characters": '/O=a\\,b\\+c;d=e/OU="quoted"/CN=#hash <x> \\\\ y ',
  "multi-valued RDN": "/O=acme/CN=svc+UID=42",
  unicode: "/O=Zürich AG/CN=café",
  email: "/CN=bot/emailAddress=bot@example.com",
};

beforeAll(() => {
  pki = createTestPki();
  const ca = pki.rootCa("Root Facts");
  certs["ca"] = ca;
  certs["pathlen0"] = pki.issue(ca, "pathlen0", { subject: "/CN=pathlen0", ca: true, pathLength: 0 });
  certs["constrained"] = pki.issue(ca, "constrained", {
    subject: "/CN=constrained",
    ca: true,
    extraExtensions: ["nameConstraints = critical,permitted;DNS:.example.com", "1.3.6.1.4.1.55555.2 = critical,ASN1:NULL"],
  });
  for (const [name, subject] of Object.entries(SUBJECTS)) {
    certs[name] = pki.issue(ca, name.replaceAll(" ", "-"), { subject, uris: ["spiffe://td/w"], dns: ["a.example", "b.example"] });
  }
});
afterAll(() => pki.cleanup());

function opensslPrint(file: string, ...args: string[]): string {
  return execFileSync("openssl", ["x509", "-in", file, "-noout", ...args], { encoding: "utf8" }).trim();
}

describe("readCertificate", () => {
  it.each(Object.keys(SUBJECTS))("renders the %s subject and the issuer as openssl -nameopt RFC2253 does", (name) => {
    const cert = certs[name] as TestCert;
    const facts = readCertificate(cert.pem);
    expect(facts.ok).toBe(true);
    if (!facts.ok) return;
    const utf8 = ["-nameopt", "RFC2253,-esc_msb"];
    expect(`subject=${facts.value.subject.text}`).toBe(opensslPrint(cert.certFile, "-subject", ...utf8));
    expect(`issuer=${facts.value.issuer.text}`).toBe(opensslPrint(cert.certFile, "-issuer", ...utf8));
  });

  it("reads SANs, usages, CA flag, validity and the SHA-256 fingerprint", () => {
    const cert = certs["plain"] as TestCert;
    const facts = readCertificate(cert.pem);
    if (!facts.ok) throw new Error(facts.error);
    const f = facts.value;
    expect({ uris: f.uris, dns: f.dns, ku: f.keyUsage, eku: f.extKeyUsage, ca: f.isCa }).toEqual({
      uris: ["spiffe://td/w"],
      dns: ["a.example", "b.example"],
      ku: { digitalSignature: true, keyCertSign: false },
      eku: ["1.3.6.1.5.5.7.3.2"],
      ca: false,
    });
    const fingerprint = opensslPrint(cert.certFile, "-fingerprint", "-sha256").split("=")[1]?.replaceAll(":", "").toLowerCase();
    expect(f.fingerprint).toBe(fingerprint);
    expect(f.notAfter).toBeGreaterThan(f.notBefore);
  });

  it("reads a CA: keyCertSign, no EKU", () => {
    const facts = readCertificate((certs["ca"] as TestCert).pem);
    expect(facts.ok && { ca: facts.value.isCa, ku: facts.value.keyUsage, eku: facts.value.extKeyUsage }).toEqual({
      ca: true,
      ku: { digitalSignature: false, keyCertSign: true },
      eku: undefined,
    });
  });

  it.each<[string, number, boolean, string[]]>([
    ["ca", Number.POSITIVE_INFINITY, false, []],
    ["plain", Number.POSITIVE_INFINITY, false, []],
    ["pathlen0", 0, false, []],
    ["constrained", Number.POSITIVE_INFINITY, true, ["2.5.29.30", "1.3.6.1.4.1.55555.2"]],
  ])("reads the constraints of %s", (name, pathLength, nameConstrained, unknownCritical) => {
    const facts = readCertificate((certs[name] as TestCert).pem);
    expect(
      facts.ok && {
        pathLength: facts.value.pathLength,
        nameConstrained: facts.value.nameConstrained,
        unknownCritical: facts.value.unknownCritical,
      },
    ).toEqual({
      pathLength,
      nameConstrained,
      unknownCritical,
    });
  });

  it.each<[string, string]>([
    ["text", "not a certificate"],
    ["an empty PEM body", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"],
  ])("refuses %s", (_name, text) => {
    expect(readCertificate(text).ok).toBe(false);
  });
});

describe("readX509Fields on damaged DER", () => {
  it.each<[string, (der: Uint8Array) => Uint8Array]>([
    ["truncated", (der) => der.subarray(0, der.length - 10)],
    ["empty", () => new Uint8Array(0)],
    ["indefinite length", (der) => Uint8Array.from([0x30, 0x80, ...der.subarray(4)])],
    ["not a SEQUENCE", (der) => Uint8Array.from([0x31, ...der.subarray(1)])],
  ])("reports %s input as an error", (_name, damage) => {
    const facts = readCertificate((certs["plain"] as TestCert).pem);
    if (!facts.ok) throw new Error(facts.error);
    expect(readX509Fields(damage(new Uint8Array(facts.value.certificate.raw))).ok).toBe(false);
  });

  it("never throws on random corruption of a real certificate", () => {
    const facts = readCertificate((certs["plain"] as TestCert).pem);
    if (!facts.ok) throw new Error(facts.error);
    const der = new Uint8Array(facts.value.certificate.raw);
    fc.assert(
      fc.property(fc.nat(der.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(der.length), (at, byte, cut) => {
        const copy = der.slice(0, Math.max(cut, at + 1));
        copy[at] = byte;
        const result = readX509Fields(copy);
        expect(typeof result.ok).toBe("boolean");
      }),
      { numRuns: 3000 },
    );
  });
});
