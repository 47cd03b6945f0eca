import { describe, expect, it } from "vitest";
import { identityFromEvidence } from "../../../../src/core/identity/mtls/peer-identity.ts";
import type { IdentityRules, PeerEvidence } from "../../../../src/core/identity/mtls/peer-identity.ts";

// Evidence → Identity, independent of where the evidence came from.

function evidence(overrides: Partial<PeerEvidence>): PeerEvidence {
  return { uris: [], dns: [], subjectDn: "", subjectFields: undefined, principal: "", fingerprint: "", issuer: "", ...overrides };
}

const ANY: IdentityRules = { trustDomains: [], attributeMap: {} };

describe("identityFromEvidence", () => {
  it.each<[string, Partial<PeerEvidence>, IdentityRules, string]>([
    ["SPIFFE ID first", { uris: ["spiffe://td/a"], dns: ["a.example"], subjectDn: "CN=a" }, ANY, "spiffe://td/a"],
    ["then the first DNS SAN", { dns: ["a.example", "b.example"], subjectDn: "CN=a" }, ANY, "a.example"],
    ["then the subject DN", { subjectDn: "CN=a,O=b" }, ANY, "CN=a,O=b"],
    ["then a non-SPIFFE URI SAN", { uris: ["https://a.example/"] }, ANY, "https://a.example/"],
    ["then the principal", { principal: "CN=p" }, ANY, "CN=p"],
    [
      "a non-SPIFFE URI does not satisfy SPIFFE rules",
      { uris: ["https://a.example/"] },
      { trustDomains: ["td"], attributeMap: {} },
      "error: no SPIFFE ID",
    ],
    ["nothing at all", {}, ANY, "error: the certificate names no identity"],
    ["two non-SPIFFE URIs are not an SVID question", { uris: ["urn:a", "urn:b"], dns: ["x.example"] }, ANY, "x.example"],
    ["a SPIFFE URI among others", { uris: ["urn:a", "spiffe://td/a"] }, ANY, "error: exactly one URI SAN; found 2"],
    ["control characters in a name", { dns: ["a.example\r\nx-injected: 1"] }, ANY, "error: control characters"],
    ["an over-long name", { subjectDn: `CN=${"a".repeat(3000)}` }, ANY, "error: longer than 2048"],
    ["too many SANs", { dns: Array.from({ length: 65 }, (_, i) => `h${i}.example`) }, ANY, "error: more than 64"],
  ])("%s", (_name, overrides, rules, expected) => {
    const identity = identityFromEvidence(evidence(overrides), rules);
    const got = identity.ok ? identity.value.subject : `error: ${identity.error}`;
    if (expected.startsWith("error: ")) expect(got).toContain(expected.slice("error: ".length));
    else expect(got).toBe(expected);
  });

  it("copies mapped attributes: one value as a string, several as a list, absent ones not at all", () => {
    const rules: IdentityRules = {
      trustDomains: [],
      attributeMap: { team: "subject_ou", host: "dns", tenant: "namespace", who: "subject_cn" },
    };
    const identity = identityFromEvidence(
      evidence({ dns: ["a.example", "b.example"], subjectDn: "CN=x,OU=ml", subjectFields: { cn: "x", o: [], ou: ["ml"] } }),
      rules,
    );
    expect(identity.ok && identity.value.attributes).toEqual({
      dns: ["a.example", "b.example"],
      subject_dn: "CN=x,OU=ml",
      subject_cn: "x",
      subject_ou: ["ml"],
      team: "ml",
      host: ["a.example", "b.example"],
      who: "x",
    });
  });

  it("returns a frozen identity with method mtls", () => {
    const identity = identityFromEvidence(evidence({ uris: ["spiffe://td/ns/a/sa/b"], fingerprint: "ff", issuer: "CN=ca" }), ANY);
    expect(identity.ok && Object.isFrozen(identity.value) && Object.isFrozen(identity.value.attributes)).toBe(true);
    expect(identity.ok && identity.value).toMatchObject({ method: "mtls", keyId: "ff", issuer: "CN=ca", groups: [] });
  });
});
