import { describe, expect, it } from "vitest";
import { decodeClaims, parseCompactJws } from "../../../../src/core/identity/jwt/compact-jws.ts";
import { unsignedToken } from "./helpers.ts";

const LIMITS = { maxAudiences: 32, maxClaimsDepth: 16 };
const OK_HEADER = { alg: "ES256", kid: "k1" };
const OK_CLAIMS = { iss: "https://login.example.com/", sub: "a" };

function shape(token: string, max = 8192) {
  const parsed = parseCompactJws(token, max);
  return parsed.ok ? "ok" : parsed.error.reason;
}

describe("token shape, before any key or signature work", () => {
  it("accepts a well-formed token and exposes alg and kid", () => {
    const parsed = parseCompactJws(unsignedToken(OK_HEADER, OK_CLAIMS), 8192);
    expect(parsed.ok && { alg: parsed.value.alg, kid: parsed.value.kid }).toEqual({ alg: "ES256", kid: "k1" });
  });

  it.each([
    ["a 1 MiB bearer", "a".repeat(1024 * 1024), "jwt_too_large"],
    ["one byte over the limit", unsignedToken(OK_HEADER, { pad: "x".repeat(8200) }), "jwt_too_large"],
    ["two segments", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0", "jwt_malformed"],
    ["four segments", `${unsignedToken(OK_HEADER, OK_CLAIMS)}.extra`, "jwt_malformed"],
    ["five segments (JWE)", "a.b.c.d.e", "jwt_malformed"],
    ["padding characters", `${unsignedToken(OK_HEADER, OK_CLAIMS)}==`, "jwt_malformed"],
    ["standard base64 characters", unsignedToken(OK_HEADER, OK_CLAIMS, "ab+/"), "jwt_malformed"],
    ["an impossible base64url length", unsignedToken(OK_HEADER, OK_CLAIMS, "abcde"), "jwt_malformed"],
    ["whitespace inside", unsignedToken(OK_HEADER, OK_CLAIMS).replace(".", ". "), "jwt_malformed"],
    ["a header that is not JSON", `${Buffer.from("{alg:ES256}").toString("base64url")}.e30.c2ln`, "jwt_malformed"],
    ["a header that is a JSON array", unsignedToken(["ES256"] as unknown as Record<string, unknown>, OK_CLAIMS), "jwt_malformed"],
    ["a header in Latin-1", `${Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]).toString("base64url")}.e30.c2ln`, "jwt_malformed"],
    ["an empty header", ".e30.c2ln", "jwt_malformed"],
    ["no alg", unsignedToken({ kid: "k1" }, OK_CLAIMS), "jwt_malformed"],
    ["alg none", unsignedToken({ alg: "none" }, OK_CLAIMS, ""), "jwt_algorithm_not_allowed"],
    ["alg NONE", unsignedToken({ alg: "NONE" }, OK_CLAIMS, ""), "jwt_algorithm_not_allowed"],
    ["HS256", unsignedToken({ alg: "HS256" }, OK_CLAIMS), "jwt_algorithm_not_allowed"],
    ["an unknown alg", unsignedToken({ alg: "ES256K" }, OK_CLAIMS), "jwt_algorithm_not_allowed"],
    ["alg as a list", unsignedToken({ alg: ["ES256"] }, OK_CLAIMS), "jwt_malformed"],
    ["an empty signature", unsignedToken(OK_HEADER, OK_CLAIMS, ""), "jwt_malformed"],
    ["a jku header", unsignedToken({ ...OK_HEADER, jku: "https://evil.example/jwks" }, OK_CLAIMS), "jwt_malformed"],
    ["an x5u header", unsignedToken({ ...OK_HEADER, x5u: "https://evil.example/cert" }, OK_CLAIMS), "jwt_malformed"],
    ["an embedded jwk", unsignedToken({ ...OK_HEADER, jwk: { kty: "EC" } }, OK_CLAIMS), "jwt_malformed"],
    ["crit extensions", unsignedToken({ ...OK_HEADER, crit: ["exp"], exp: 1 }, OK_CLAIMS), "jwt_malformed"],
    ["b64 false", unsignedToken({ ...OK_HEADER, b64: false, crit: ["b64"] }, OK_CLAIMS), "jwt_malformed"],
    ["a numeric kid", unsignedToken({ alg: "ES256", kid: 7 }, OK_CLAIMS), "jwt_malformed"],
    ["an empty kid", unsignedToken({ alg: "ES256", kid: "" }, OK_CLAIMS), "jwt_malformed"],
    ["a 257-character kid", unsignedToken({ alg: "ES256", kid: "k".repeat(257) }, OK_CLAIMS), "jwt_malformed"],
    ["a numeric typ", unsignedToken({ ...OK_HEADER, typ: 1 }, OK_CLAIMS), "jwt_malformed"],
  ])("rejects %s", (_name, token, reason) => {
    expect(shape(token)).toBe(reason);
  });

  it.each([
    ["path traversal", "../../../../dev/null"],
    ["SQL", "' OR 1=1 --"],
    ["unicode", "ключ-🔑"],
    ["a prototype name", "__proto__"],
  ])("lets a hostile but bounded kid (%s) through to a plain map lookup", (_name, kid) => {
    const parsed = parseCompactJws(unsignedToken({ alg: "ES256", kid }, OK_CLAIMS), 8192);
    expect(parsed.ok && parsed.value.kid).toBe(kid);
  });
});

describe("claims decoding, before any key or signature work", () => {
  function decode(claims: unknown, limits = LIMITS) {
    const segment = Buffer.from(typeof claims === "string" ? claims : JSON.stringify(claims)).toString("base64url");
    const decoded = decodeClaims(segment, limits);
    return decoded.ok ? "ok" : decoded.error.reason;
  }

  it.each([
    ["a claims object", OK_CLAIMS, "ok"],
    ["32 audiences", { aud: Array.from({ length: 32 }, (_, i) => `a${i}`) }, "ok"],
    ["a 10k-element aud array", { aud: Array.from({ length: 10_000 }, (_, i) => `a${i}`) }, "jwt_too_large"],
    ["claims nested 17 deep", JSON.parse(`${'{"a":'.repeat(17)}1${"}".repeat(17)}`), "jwt_too_large"],
    ["claims nested 16 deep", JSON.parse(`${'{"a":'.repeat(16)}1${"}".repeat(16)}`), "ok"],
    ["a deeply nested array", JSON.parse(`${"[".repeat(2000)}${"]".repeat(2000)}`), "jwt_malformed"],
    ["claims that are a string", '"sub"', "jwt_malformed"],
    ["claims that are not JSON", "sub=alice", "jwt_malformed"],
    ["empty claims", "", "jwt_malformed"],
  ])("%s", (_name, claims, expected) => {
    expect(decode(claims)).toBe(expected);
  });

  it("bounds nesting inside an object too", () => {
    expect(decode({ sub: "a", x: JSON.parse(`${"[".repeat(2000)}${"]".repeat(2000)}`) })).toBe("jwt_too_large");
  });
});
