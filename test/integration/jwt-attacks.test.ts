import { createHmac, createPublicKey, generateKeyPairSync, sign as edSign } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import type { JwtIdentity } from "../../src/wiring/create-jwt-identity.ts";
import { identifyBearer, outcomeReason, startJwtIdentity, teamClaims } from "./helpers/jwt-identity.ts";
import type { SourceOutcome } from "../../src/core/identity/identity.ts";
import { startCanaryServer, startOidcServer, type CanaryServer, type OidcServer } from "./helpers/oidc-server.ts";

// Attacks on the JWT identity source as the server wires it, against a real OpenID provider on
// loopback (security.md J1–J4, J8; T03–T06, T09): tampered tokens, algorithm confusion,
// token-supplied keys and URLs, hostile kids, kid floods and oversized tokens.

const T0 = Date.parse("2026-11-01T00:00:00Z");
let now = T0;
let idp: OidcServer;
let canary: CanaryServer;
let jwt: JwtIdentity | undefined;

beforeEach(async () => {
  now = T0;
  canary = await startCanaryServer();
  idp = await startOidcServer({ redirectTo: `${canary.url}/redirected` });
});

afterEach(async () => {
  jwt?.stop();
  jwt = undefined;
  await idp.close();
  await canary.close();
});

async function start(issuer: Record<string, unknown> = {}): Promise<JwtIdentity> {
  jwt = await startJwtIdentity(idp, () => now, issuer);
  return jwt;
}

const identify = (token: string): Promise<SourceOutcome> => identifyBearer(jwt, token, now);
const reasonOf = async (token: string): Promise<string> => outcomeReason(await identify(token));
const claims = (overrides: JWTPayload = {}): JWTPayload => teamClaims(idp, T0, overrides);

function tamper(token: string, part: 0 | 1 | 2, change: (text: string) => string): string {
  const parts = token.split(".");
  parts[part] = change(parts[part] ?? "");
  return parts.join(".");
}

const reencode = (segment: string, edit: (json: Record<string, unknown>) => Record<string, unknown>) =>
  Buffer.from(JSON.stringify(edit(JSON.parse(Buffer.from(segment, "base64url").toString("utf8")) as Record<string, unknown>))).toString(
    "base64url",
  );

describe("Wycheproof-style attacks on real tokens", () => {
  it.each([
    [
      "a modified signature",
      (t: string) => tamper(t, 2, (s) => `${s.slice(0, -4)}${s.endsWith("AAAA") ? "BBBB" : "AAAA"}`),
      "jwt_signature_invalid",
    ],
    [
      "a modified payload",
      (t: string) => tamper(t, 1, (p) => reencode(p, (c) => ({ ...c, sub: "mallory@example.com" }))),
      "jwt_signature_invalid",
    ],
    ["a modified header", (t: string) => tamper(t, 0, (h) => reencode(h, (c) => ({ ...c, typ: "JWT" }))), "jwt_signature_invalid"],
    ["the signature removed", (t: string) => tamper(t, 2, () => ""), "jwt_malformed"],
    [
      "alg none",
      (t: string) =>
        tamper(
          tamper(t, 0, (h) => reencode(h, (c) => ({ ...c, alg: "none" }))),
          2,
          () => "",
        ),
      "jwt_algorithm_not_allowed",
    ],
    ["a fourth segment", (t: string) => `${t}.e30`, "jwt_malformed"],
  ])("rejects %s", async (_name, mutate, reason) => {
    const key = await idp.addKey("ES256");
    await start();
    const token = await idp.sign(claims(), key);
    expect(await reasonOf(token)).toBe("identified");
    expect(await reasonOf(mutate(token))).toBe(reason);
  });

  it("rejects HS256 signed with the issuer's RSA public key bytes", async () => {
    const key = await idp.addKey("RS256");
    await start();
    const pem = createPublicKey({ key: key.publicJwk, format: "jwk" }).export({ type: "spki", format: "pem" });
    const input = `${Buffer.from(JSON.stringify({ alg: "HS256", kid: key.kid })).toString("base64url")}.${Buffer.from(JSON.stringify(claims())).toString("base64url")}`;
    const forged = `${input}.${createHmac("sha256", pem).update(input).digest("base64url")}`;
    const modulus = Buffer.from(String(key.publicJwk.n), "base64url");
    const forgedWithModulus = `${input}.${createHmac("sha256", modulus).update(input).digest("base64url")}`;
    const jwksBefore = idp.requests.jwks;
    expect(await reasonOf(forged)).toBe("jwt_algorithm_not_allowed");
    expect(await reasonOf(forgedWithModulus)).toBe("jwt_algorithm_not_allowed");
    expect(idp.requests.jwks).toBe(jwksBefore);
  });

  it("rejects a token signed by an attacker's key embedded as jwk", async () => {
    await idp.addKey("EdDSA");
    await start();
    const attacker = generateKeyPairSync("ed25519");
    const header = { alg: "EdDSA", jwk: attacker.publicKey.export({ format: "jwk" }) };
    const input = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(claims())).toString("base64url")}`;
    const token = `${input}.${edSign(null, Buffer.from(input), attacker.privateKey).toString("base64url")}`;
    expect(await reasonOf(token)).toBe("jwt_malformed");
  });

  it("never follows jku or x5u: the URL they name receives no request", async () => {
    await idp.addKey("ES256");
    await start();
    const attacker = await generateKeyPair("ES256", { extractable: true });
    const attackerJwk = { ...(await exportJWK(attacker.publicKey)), kid: "attacker" };
    const headers = [
      { jku: `${canary.url}/jwks.json` },
      { x5u: `${canary.url}/cert.pem` },
      { jku: `${canary.url}/jwks.json`, x5u: `${canary.url}/cert.pem` },
    ];
    for (const extra of headers) {
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: "ES256", kid: attackerJwk.kid, ...extra })
        .sign(attacker.privateKey);
      expect(await reasonOf(token)).toBe("jwt_malformed");
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(canary.requests).toEqual([]);
  });

  it.each([
    ["path traversal", "../../../../../dev/null"],
    ["SQL", "' OR 1=1 --"],
    ["unicode", "ключ-🔑-\u202e"],
    ["a URL", "http://127.0.0.1:9/jwks"],
    ["a prototype name", "__proto__"],
  ])("treats a hostile kid (%s) as an unknown key", async (_name, kid) => {
    const key = await idp.addKey("ES256");
    await start();
    expect(await reasonOf(await idp.sign(claims(), key, { kid }))).toBe("jwt_key_unknown");
  });

  it("answers 10k tokens with unknown kids with at most one JWKS fetch per cooldown", async () => {
    const key = await idp.addKey("ES256");
    await start();
    const tokens = await Promise.all(Array.from({ length: 10_000 }, (_, i) => idp.sign(claims(), key, { kid: `unknown-${i}` })));
    const flood = async () => new Set(await Promise.all(tokens.map((t) => reasonOf(t))));
    const base = idp.requests.jwks;
    expect(await flood()).toEqual(new Set(["jwt_key_unknown"]));
    expect(idp.requests.jwks - base).toBe(0); // still within the cooldown of the start-up load
    now += 30_000;
    expect(await flood()).toEqual(new Set(["jwt_key_unknown"]));
    // The refetch runs beside the answers, so on a loaded machine it may land after them: wait
    // for it, then make sure the rest of the flood added no other.
    await vi.waitFor(() => expect(idp.requests.jwks - base).toBe(1), { timeout: 10_000, interval: 20 });
    await new Promise((r) => setTimeout(r, 200));
    expect(idp.requests.jwks - base).toBe(1);
  });

  it("rejects a 1 MiB bearer token before any work, and the IdP hears nothing of it", async () => {
    await idp.addKey("ES256");
    await start();
    const before = { ...idp.requests };
    expect(await reasonOf(`eyJ${"A".repeat(1024 * 1024)}`)).toBe("jwt_too_large");
    expect(idp.requests).toEqual(before);
  });
});
