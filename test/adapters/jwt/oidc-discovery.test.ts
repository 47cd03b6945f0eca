import { describe, expect, it } from "vitest";
import { discoverJwksUri, discoveryUrl } from "../../../src/adapters/jwt/oidc-discovery.ts";
import { err, ok, type Result } from "../../../src/core/result.ts";

const ISSUER = "https://login.example.com/realms/ml";

function serving(doc: Result<unknown, string>) {
  const asked: string[] = [];
  return { asked, fetch: async (url: string) => (asked.push(url), doc) };
}

describe("OIDC discovery", () => {
  it.each([
    ["https://login.example.com", "https://login.example.com/.well-known/openid-configuration"],
    ["https://login.example.com/", "https://login.example.com/.well-known/openid-configuration"],
    ["https://login.example.com/realms/ml/", "https://login.example.com/realms/ml/.well-known/openid-configuration"],
  ])("asks %s at %s", (issuer, url) => {
    expect(discoveryUrl(issuer)).toBe(url);
  });

  it("returns the jwks_uri of a document for this issuer", async () => {
    const idp = serving(ok({ issuer: ISSUER, jwks_uri: "https://keys.example.com/certs" }));
    expect(await discoverJwksUri(ISSUER, idp.fetch, false)).toEqual(ok("https://keys.example.com/certs"));
    expect(idp.asked).toEqual([`${ISSUER}/.well-known/openid-configuration`]);
  });

  it.each([
    ["a fetch failure", err("HTTP 503"), "discovery: HTTP 503"],
    ["a document that is a list", ok([]), "not a JSON object"],
    ["another issuer", ok({ issuer: "https://evil.example/", jwks_uri: "https://evil.example/jwks" }), "names a different issuer"],
    [
      "the issuer with a trailing slash added",
      ok({ issuer: `${ISSUER}/`, jwks_uri: "https://keys.example.com/certs" }),
      "names a different issuer",
    ],
    ["no jwks_uri", ok({ issuer: ISSUER }), "has no jwks_uri"],
    ["a plain-http jwks_uri", ok({ issuer: ISSUER, jwks_uri: "http://keys.example.com/certs" }), "jwks_uri must be an https URL"],
    ["a file jwks_uri", ok({ issuer: ISSUER, jwks_uri: "file:///etc/jwks.json" }), "jwks_uri must be an https URL"],
  ])("refuses %s", async (_name, doc, message) => {
    const result = await discoverJwksUri(ISSUER, serving(doc).fetch, false);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});
