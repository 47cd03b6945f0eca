import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JWTPayload } from "jose";
import type { JwtIdentity } from "../../src/wiring/create-jwt-identity.ts";
import { identifyBearer, outcomeReason, startJwtIdentity, teamClaims } from "./helpers/jwt-identity.ts";
import type { SourceOutcome } from "../../src/core/identity/identity.ts";
import { startOidcServer, type OidcServer, type TestKey } from "./helpers/oidc-server.ts";

// The JWT identity source as the server wires it (key sets, jose, cache) against a real OpenID
// provider on loopback, with tokens signed by jose. The clock is a variable shared by the
// source and the key sets.

const T0 = Date.parse("2026-11-01T00:00:00Z");
const NOW_S = T0 / 1000;
let now = T0;
let idp: OidcServer;
let jwt: JwtIdentity | undefined;

beforeEach(async () => {
  now = T0;
  idp = await startOidcServer();
});

afterEach(async () => {
  jwt?.stop();
  jwt = undefined;
  await idp.close();
});

async function start(issuer: Record<string, unknown> = {}): Promise<JwtIdentity> {
  jwt = await startJwtIdentity(idp, () => now, issuer);
  return jwt;
}

const identify = (token: string): Promise<SourceOutcome> => identifyBearer(jwt, token, now);
const reasonOf = async (token: string): Promise<string> => outcomeReason(await identify(token));
const claims = (overrides: JWTPayload = {}): JWTPayload => teamClaims(idp, T0, overrides);

describe("tokens signed by jose", () => {
  it.each(["RS256", "ES256", "EdDSA"])("accepts %s and maps the claims into the shared identity shape", async (alg) => {
    const key = await idp.addKey(alg);
    await start();
    const outcome = await identify(await idp.sign(claims(), key));
    expect(outcome).toEqual({
      kind: "identified",
      identity: {
        method: "jwt",
        subject: "alice@example.com",
        issuer: idp.issuer,
        keyId: key.kid,
        groups: ["ml-users"],
        attributes: { team: "data_science", org: "acme" },
      },
    });
  });

  it.each([
    ["another audience", { aud: "billing-service" }, "jwt_audience_invalid"],
    ["no audience", { aud: undefined }, "jwt_audience_invalid"],
    ["a list of other audiences", { aud: ["a", "b"] }, "jwt_audience_invalid"],
    ["one accepted audience in a list", { aud: ["a", "modelgate"] }, "identified"],
    ["another issuer", { iss: "https://evil.example/" }, "jwt_issuer_invalid"],
    ["no issuer", { iss: undefined }, "jwt_issuer_invalid"],
    ["expired an hour ago", { exp: NOW_S - 3600 }, "jwt_expired"],
    ["no exp", { exp: undefined }, "jwt_claims_invalid"],
    ["valid only from tomorrow", { nbf: NOW_S + 86_400 }, "jwt_not_yet_valid"],
    ["exp = now − T + 1 s (inside the tolerance)", { exp: NOW_S - 29 }, "identified"],
    ["exp = now − T (at the tolerance: expired)", { exp: NOW_S - 30 }, "jwt_expired"],
    ["exp = now − T − 1 s", { exp: NOW_S - 31 }, "jwt_expired"],
    ["nbf = now + T (at the tolerance: accepted)", { nbf: NOW_S + 30 }, "identified"],
    ["nbf = now + T + 1 s", { nbf: NOW_S + 31 }, "jwt_not_yet_valid"],
    ["no sub", { sub: undefined }, "jwt_claims_invalid"],
  ] as [string, Record<string, unknown>, string][])("claim matrix: %s → %s", async (_name, overrides, reason) => {
    const key = await idp.addKey("ES256");
    await start();
    const payload = claims(overrides);
    for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete payload[k];
    expect(await reasonOf(await idp.sign(payload, key))).toBe(reason);
  });

  it("enforces typ and token age when configured (RFC 9068 access tokens)", async () => {
    const key = await idp.addKey("ES256");
    await start({ typ: "at+jwt", maxTokenAgeSeconds: 600 });
    expect(await reasonOf(await idp.sign(claims(), key))).toBe("jwt_claims_invalid"); // typ missing
    expect(await reasonOf(await idp.sign(claims(), key, { header: { typ: "at+jwt" } }))).toBe("identified");
    expect(await reasonOf(await idp.sign(claims({ iat: NOW_S - 700 }), key, { header: { typ: "at+jwt" } }))).toBe("jwt_expired");
  });
});

describe("keys over time", () => {
  it("accepts tokens from a rotated-in key after one refetch and rejects a withdrawn key, cached or not", async () => {
    const old = await idp.addKey("ES256");
    await start();
    const oldToken = await idp.sign(claims(), old);
    expect(await reasonOf(oldToken)).toBe("identified");
    const rotated: TestKey = await idp.addKey("EdDSA");
    now += 30_000;
    expect(await reasonOf(await idp.sign(claims({ exp: NOW_S + 7200 }), rotated))).toBe("identified");
    expect(idp.requests.jwks).toBe(2);
    idp.withdrawKey(old.kid);
    await jwt?.keySets.keysFor(idp.issuer)?.refresh();
    expect(await reasonOf(oldToken)).toBe("jwt_key_unknown");
  });

  it("keeps verifying with the last good keys while the IdP is down, and reports it", async () => {
    const key = await idp.addKey("ES256");
    await start();
    idp.setJwksMode("error-503");
    idp.setDiscoveryMode("error-503");
    now += 60_000;
    await jwt?.keySets.keysFor(idp.issuer)?.refresh();
    expect(jwt?.status()[0]?.state).toBe("stale");
    expect(await reasonOf(await idp.sign(claims({ jti: "fresh-token" }), key))).toBe("identified");
    idp.setJwksMode("ok");
    idp.setDiscoveryMode("ok");
    await jwt?.keySets.keysFor(idp.issuer)?.refresh();
    expect(jwt?.status()[0]?.state).toBe("ok");
  });

  it("answers jwt_issuer_unavailable while the IdP has never been reachable", async () => {
    const key = await idp.addKey("ES256");
    idp.setDiscoveryMode("hang");
    await start();
    expect(await reasonOf(await idp.sign(claims(), key))).toBe("jwt_issuer_unavailable");
  });

  it("costs one verification for a hot caller: the IdP and the key set are consulted once", async () => {
    const key = await idp.addKey("ES256");
    await start();
    const token = await idp.sign(claims(), key);
    for (let i = 0; i < 500; i++) expect(await reasonOf(token)).toBe("identified");
    expect(jwt?.cache.size).toBe(1);
    expect(idp.requests.jwks).toBe(1);
  });
});
