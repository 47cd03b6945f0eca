import { describe, expect, it } from "vitest";
import { identityFromClaims } from "../../../../src/core/identity/jwt/claim-mapping.ts";
import { issuerConfig } from "./helpers.ts";

const MAPPING = issuerConfig({
  claims: {
    subject: "sub",
    groups: ["groups", "realm_access.roles"],
    attributes: {
      team: "team",
      org: '["https://example.com/claims"].org',
      tier: "ext.tier",
      orgs: "orgs.name",
      admin: "is_admin",
      level: "level",
    },
  },
}).claims;

function map(claims: Record<string, unknown>) {
  return identityFromClaims(claims, MAPPING, "https://login.example.com/", "kid-1");
}

describe("claims → identity", () => {
  it("maps subject, groups (union, de-duplicated) and nested, namespaced and fanned-out attributes", () => {
    const result = map({
      sub: "alice@example.com",
      groups: ["ml-users", "readers"],
      realm_access: { roles: ["readers", "admin"] },
      team: "data_science",
      "https://example.com/claims": { org: "acme" },
      ext: { tier: "gold" },
      orgs: [{ name: "acme" }, { name: "globex" }],
      is_admin: false,
      level: 3,
    });
    expect(result).toEqual({
      ok: true,
      value: {
        method: "jwt",
        subject: "alice@example.com",
        issuer: "https://login.example.com/",
        keyId: "kid-1",
        groups: ["ml-users", "readers", "admin"],
        attributes: { team: "data_science", org: "acme", tier: "gold", orgs: ["acme", "globex"], admin: "false", level: "3" },
      },
    });
  });

  it("leaves absent claims out, so a policy on them simply does not match", () => {
    const result = map({ sub: "svc" });
    expect(result.ok && result.value.attributes).toEqual({});
    expect(result.ok && result.value.groups).toEqual([]);
  });

  it.each([
    ["CR/LF in the subject", { sub: "eve\r\nx-injected: 1" }, "eve\ufffd\ufffdx-injected: 1"],
    ["NUL in the subject", { sub: "eve\u0000" }, "eve\ufffd"],
    ["an over-long subject", { sub: "a".repeat(1000) }, "a".repeat(256)],
  ])("sanitises %s", (_name, claims, subject) => {
    const result = map(claims);
    expect(result.ok && result.value.subject).toBe(subject);
  });

  it("sanitises attribute and group values", () => {
    const result = map({ sub: "a", team: "ds\nfake", groups: ["g\u2028h"] });
    expect(result.ok && result.value.attributes["team"]).toBe("ds\ufffdfake");
    expect(result.ok && result.value.groups).toEqual(["g\ufffdh"]);
  });

  it.each([
    ["no subject", {}, "subject claim sub is missing"],
    ["a numeric subject", { sub: 42 }, "not a string"],
    ["an empty subject", { sub: "   " }, "is empty"],
    ["groups as an object", { sub: "a", groups: { admin: true } }, "groups claim groups must hold strings"],
    ["groups holding objects", { sub: "a", groups: [{ name: "x" }] }, "must hold strings"],
    ["too many groups", { sub: "a", groups: Array.from({ length: 257 }, (_, i) => `g${i}`) }, "more than 256 groups"],
    ["an attribute that is an object", { sub: "a", team: { name: "x" } }, "claim team must be"],
    ["an attribute list too long", { sub: "a", team: Array.from({ length: 65 }, (_, i) => `t${i}`) }, "more than 64 values"],
    ["an attribute list of lists", { sub: "a", team: [["x"]] }, "claim team must be"],
    ["a null attribute", { sub: "a", team: null }, "claim team must be"],
  ])("rejects %s rather than guessing", (_name, claims, message) => {
    const result = map(claims);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});
