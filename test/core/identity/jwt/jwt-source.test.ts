import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { identify } from "../../../../src/core/identity/identify.ts";
import { apiKeySource } from "../../../../src/core/identity/api-key-source.ts";
import { buildKeyIndex } from "../../../../src/core/identity/key-store.ts";
import { jwtSource } from "../../../../src/core/identity/jwt/jwt-source.ts";
import type { JwtConfig } from "../../../../src/core/identity/jwt/jwt-config.ts";
import { VerifiedTokenCache } from "../../../../src/core/identity/jwt/verified-token-cache.ts";
import { createJwtVerifier } from "../../../../src/core/identity/jwt/verify-jwt.ts";
import type { SourceOutcome } from "../../../../src/core/identity/identity.ts";
import { mintFrom, recordOf, requestWith } from "../helpers.ts";
import { countingVerifier, fakeKeys, signedToken, type FakeKeys } from "./fake-ports.ts";
import { ISSUER, jwtConfig, T0, T0_SECONDS, unsignedToken } from "./helpers.ts";

const HEADER = { alg: "ES256", kid: "k1", typ: "JWT" };
const CLAIMS = { iss: ISSUER, aud: "modelgate", sub: "alice@example.com", exp: T0_SECONDS + 600, team: "data_science" };

function setup(config: JwtConfig = jwtConfig({ claims: { attributes: { team: "team" } } }), keys: FakeKeys = fakeKeys()) {
  const signatures = countingVerifier();
  const verifier = createJwtVerifier({ config, keysFor: (iss) => (iss === ISSUER ? keys : undefined), verifySignature: signatures.verify });
  const cache = new VerifiedTokenCache(config.cache);
  const source = jwtSource({ verifier, maxTokenBytes: config.limits.maxTokenBytes, cache });
  const run = async (token: string | undefined, now = T0, headers: Record<string, string> = {}): Promise<SourceOutcome> =>
    source.identify(requestWith(token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` }), now);
  return { source, keys, signatures, cache, run };
}

function reasonOf(outcome: SourceOutcome): string {
  return outcome.kind === "rejected" ? outcome.reason : outcome.kind;
}

describe("the JWT source", () => {
  it("identifies a valid token as a jwt identity and removes the authorization header upstream", async () => {
    const { run, source } = setup();
    expect(source.credentialHeaders).toEqual(["authorization"]);
    const outcome = await run(signedToken(HEADER, CLAIMS));
    expect(outcome).toEqual({
      kind: "identified",
      identity: {
        method: "jwt",
        subject: "alice@example.com",
        issuer: ISSUER,
        keyId: "k1",
        groups: [],
        attributes: { team: "data_science" },
      },
    });
  });

  it.each([
    ["no authorization header", {}],
    ["another scheme", { authorization: "Basic YWxpY2U6c2VjcmV0" }],
    ["an API key as a bearer token", { authorization: `Bearer ${mintFrom("k").key}` }],
    ["anything starting with mgk_", { authorization: "Bearer mgk_not_even_a_key" }],
  ])("is absent for %s", async (_name, headers) => {
    const { source } = setup();
    expect(await source.identify(requestWith(headers), T0)).toEqual({ kind: "absent" });
  });

  it("rejects an empty bearer token rather than treating it as absent", async () => {
    const { run } = setup();
    expect(reasonOf(await run(""))).toBe("jwt_malformed");
  });

  it.each([
    ["a 1 MiB bearer", () => "a".repeat(1024 * 1024), "jwt_too_large"],
    [
      "a 10k-element aud array",
      () => signedToken(HEADER, { ...CLAIMS, aud: Array.from({ length: 10_000 }, (_, i) => `a${i}`) }),
      "jwt_too_large",
    ],
    ["a token from an unknown issuer", () => signedToken(HEADER, { ...CLAIMS, iss: "https://evil.example/" }), "jwt_issuer_invalid"],
    ["a token without iss", () => signedToken(HEADER, { ...CLAIMS, iss: undefined }), "jwt_issuer_invalid"],
    ["an issuer differing by a trailing slash", () => signedToken(HEADER, { ...CLAIMS, iss: ISSUER.slice(0, -1) }), "jwt_issuer_invalid"],
    ["alg none", () => unsignedToken({ alg: "none" }, CLAIMS, ""), "jwt_algorithm_not_allowed"],
    ["HS256", () => signedToken({ alg: "HS256", kid: "k1" }, CLAIMS), "jwt_algorithm_not_allowed"],
    ["an embedded jwk", () => signedToken({ ...HEADER, jwk: { kty: "EC", crv: "P-256", x: "x", y: "y" } }, CLAIMS), "jwt_malformed"],
    ["a jku", () => signedToken({ ...HEADER, jku: "http://127.0.0.1:9/jwks" }, CLAIMS), "jwt_malformed"],
  ])("rejects %s before any key lookup or signature work", async (_name, token, reason) => {
    const { run, keys, signatures } = setup();
    expect(reasonOf(await run(token()))).toBe(reason);
    expect(keys.lookups).toBe(0);
    expect(signatures.calls()).toBe(0);
  });

  it("rejects a 10k-element aud array by count when the size limit would let it through", async () => {
    const { run, keys, signatures } = setup(jwtConfig({}, { maxTokenBytes: 65_536 }));
    const token = signedToken(HEADER, { ...CLAIMS, aud: Array.from({ length: 10_000 }, (_, i) => String(i % 10)) });
    expect(token.length).toBeLessThan(65_536);
    expect(reasonOf(await run(token))).toBe("jwt_too_large");
    expect(keys.lookups + signatures.calls()).toBe(0);
  });

  it("applies the issuer's algorithm allowlist and typ before the key lookup", async () => {
    const { run, keys } = setup(jwtConfig({ algorithms: ["EdDSA"], typ: "at+jwt" }));
    expect(reasonOf(await run(signedToken(HEADER, CLAIMS)))).toBe("jwt_algorithm_not_allowed");
    expect(reasonOf(await run(signedToken({ alg: "EdDSA", typ: "JWT" }, CLAIMS)))).toBe("jwt_claims_invalid");
    expect(keys.lookups).toBe(0);
    expect(reasonOf(await run(signedToken({ alg: "EdDSA", typ: "application/AT+JWT" }, CLAIMS)))).toBe("identified");
  });

  it.each([
    ["an unknown kid", { kind: "unknown", detail: "no such key" }, "jwt_key_unknown"],
    ["an issuer whose keys are unavailable", { kind: "unavailable", detail: "down" }, "jwt_issuer_unavailable"],
  ] as const)("rejects %s", async (_name, result, reason) => {
    const keys = fakeKeys();
    keys.result = result;
    const { run, signatures } = setup(undefined, keys);
    expect(reasonOf(await run(signedToken(HEADER, CLAIMS)))).toBe(reason);
    expect(signatures.calls()).toBe(0);
  });

  it("checks the signature before the claims: a forged expired token is a bad signature", async () => {
    const { run } = setup();
    const forged = signedToken(HEADER, { ...CLAIMS, exp: T0_SECONDS - 3600 }, "attacker-key");
    expect(reasonOf(await run(forged))).toBe("jwt_signature_invalid");
    expect(reasonOf(await run(signedToken(HEADER, { ...CLAIMS, exp: T0_SECONDS - 3600 })))).toBe("jwt_expired");
  });

  it("tries the issuer's candidate keys, at most four", async () => {
    const keys = fakeKeys(["old", "older", "oldest", "key-a", "never"]);
    const { run, signatures } = setup(undefined, keys);
    expect(reasonOf(await run(signedToken(HEADER, CLAIMS, "key-a")))).toBe("identified");
    expect(signatures.calls()).toBe(4);
    expect(reasonOf(await run(signedToken(HEADER, CLAIMS, "never")))).toBe("jwt_signature_invalid");
    expect(signatures.calls()).toBe(8);
  });

  it("rejects a token whose mapped claims are unusable", async () => {
    const { run } = setup();
    expect(reasonOf(await run(signedToken(HEADER, { ...CLAIMS, sub: undefined })))).toBe("jwt_claims_invalid");
  });
});

describe("the verified-token cache in the source", () => {
  it("makes a hot caller cost one verification", async () => {
    const { run, signatures, keys } = setup();
    const token = signedToken(HEADER, CLAIMS);
    for (let i = 0; i < 1000; i++) expect(reasonOf(await run(token, T0 + i))).toBe("identified");
    expect(signatures.calls()).toBe(1);
    expect(keys.lookups).toBe(1);
  });

  it("shares one verification among concurrent requests with the same token", async () => {
    const { run, signatures } = setup();
    const token = signedToken(HEADER, CLAIMS);
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => run(token)));
    expect(outcomes.every((o) => o.kind === "identified")).toBe(true);
    expect(signatures.calls()).toBe(1);
  });

  it("verifies again once the token's exp has passed, and then rejects it", async () => {
    const { run, signatures } = setup(jwtConfig({ clockToleranceSeconds: 0 }, { cache: { maxSeconds: 3600 } }));
    const token = signedToken(HEADER, CLAIMS);
    expect(reasonOf(await run(token, T0))).toBe("identified");
    expect(reasonOf(await run(token, CLAIMS.exp * 1000 - 1))).toBe("identified");
    expect(signatures.calls()).toBe(1);
    expect(reasonOf(await run(token, CLAIMS.exp * 1000))).toBe("jwt_expired");
    expect(signatures.calls()).toBe(2);
  });

  it("verifies again when the issuer's key set changes (a withdrawn key stops working at once)", async () => {
    const { run, signatures, keys } = setup();
    const token = signedToken(HEADER, CLAIMS);
    await run(token);
    keys.version = 2;
    keys.result = { kind: "unknown", detail: "withdrawn" };
    expect(reasonOf(await run(token))).toBe("jwt_key_unknown");
    expect(signatures.calls()).toBe(1);
  });

  it("never caches a rejection", async () => {
    const { run, signatures } = setup();
    const forged = signedToken(HEADER, CLAIMS, "attacker-key");
    await run(forged);
    await run(forged);
    expect(signatures.calls()).toBe(2);
  });
});

describe("with the API key source", () => {
  it("the first present credential decides; an invalid JWT is a Bearer challenge", async () => {
    const { source } = setup();
    const minted = mintFrom("jwt-combo");
    const { index } = buildKeyIndex([recordOf(minted.key, { attributes: { team: "data_science" } })]);
    const sources = [source, apiKeySource({ keys: () => index })];
    const byKey = await identify(sources, requestWith({ authorization: `Bearer ${minted.key}` }), T0);
    expect(byKey.kind === "identified" && byKey.source).toBe("apikey");
    const bad = await identify(sources, requestWith({ authorization: `Bearer ${signedToken(HEADER, { ...CLAIMS, aud: "x" })}` }), T0);
    expect(bad.kind).toBe("rejected");
    if (bad.kind === "rejected") {
      expect(bad.reason).toBe("jwt_audience_invalid");
      expect(bad.challenge).toBe(
        'Bearer realm="modelgate", error="invalid_token", error_description="jwt_audience_invalid", ApiKey realm="modelgate"',
      );
    }
  });
});

describe("property: arbitrary bearer tokens", () => {
  const segment = fc.oneof(
    fc.string({ maxLength: 40 }).map((s) => Buffer.from(s).toString("base64url")),
    fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? "").toString("base64url")),
    fc.string({ maxLength: 40 }),
  );
  const header = fc.record({
    alg: fc.constantFrom("ES256", "RS256", "none", "HS256", "EdDSA"),
    kid: fc.option(fc.string(), { nil: undefined }),
  });

  it("never throw and never identify a caller without a valid signature", async () => {
    const { run } = setup();
    const joined = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join("."));
    const shaped = fc.tuple(header, fc.jsonValue(), segment).map(([h, c, s]) => unsignedToken(h, c, s));
    await fc.assert(
      fc.asyncProperty(fc.oneof(joined, shaped), async (token) => {
        expect((await run(token)).kind).not.toBe("identified");
      }),
      { numRuns: 500 },
    );
  });
});
