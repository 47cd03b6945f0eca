import { describe, expect, it } from "vitest";
import { tokenDigest, VerifiedTokenCache } from "../../../../src/core/identity/jwt/verified-token-cache.ts";
import type { VerifiedJwt } from "../../../../src/core/identity/jwt/verify-jwt.ts";
import { identity } from "../../policy/builders.ts";

const T0 = 1_800_000_000_000;

function verified(subject: string, expiresAtMs: number | undefined, keysVersion = 1): VerifiedJwt {
  return { identity: identity({ subject }), issuer: "https://login.example.com/", keysVersion, expiresAtMs };
}

describe("verified-token cache", () => {
  it("keys by a SHA-256 digest, never the token", () => {
    const digest = tokenDigest("header.payload.signature");
    expect(digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(digest).not.toContain("payload");
    expect(tokenDigest("header.payload.signaturf")).not.toBe(digest);
  });

  it.each([
    ["before exp", T0 + 60_000, T0 + 59_999, true],
    ["at exp", T0 + 60_000, T0 + 60_000, false],
    ["before maxSeconds when exp is later", T0 + 3_600_000, T0 + 299_999, true],
    ["at maxSeconds when exp is later", T0 + 3_600_000, T0 + 300_000, false],
    ["without exp, until maxSeconds", undefined, T0 + 299_999, true],
  ])("an entry is served %s: %s", (_name, exp, at, served) => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, maxSeconds: 300 });
    cache.set("d", verified("alice", exp), T0);
    expect(cache.get("d", at) !== undefined).toBe(served);
  });

  it("drops an expired entry when it is read", () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, maxSeconds: 300 });
    cache.set("d", verified("alice", T0 + 1000), T0);
    expect(cache.get("d", T0 + 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("does not store a token that is already past its exp", () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, maxSeconds: 300 });
    cache.set("d", verified("alice", T0 - 1), T0);
    expect(cache.size).toBe(0);
  });

  it("evicts the least recently used entry past maxEntries", () => {
    const cache = new VerifiedTokenCache({ maxEntries: 2, maxSeconds: 300 });
    cache.set("a", verified("a", undefined), T0);
    cache.set("b", verified("b", undefined), T0);
    expect(cache.get("a", T0)?.identity.subject).toBe("a"); // a is now the most recent
    cache.set("c", verified("c", undefined), T0);
    expect(cache.size).toBe(2);
    expect(cache.get("b", T0)).toBeUndefined();
    expect(cache.get("a", T0)?.identity.subject).toBe("a");
    expect(cache.get("c", T0)?.identity.subject).toBe("c");
  });

  it("stays bounded under 100k distinct tokens", () => {
    const cache = new VerifiedTokenCache({ maxEntries: 1000, maxSeconds: 300 });
    for (let i = 0; i < 100_000; i++) cache.set(tokenDigest(`t${i}`), verified(`s${i}`, undefined), T0);
    expect(cache.size).toBe(1000);
  });

  it("is disabled with maxEntries 0", () => {
    const cache = new VerifiedTokenCache({ maxEntries: 0, maxSeconds: 300 });
    cache.set("a", verified("a", undefined), T0);
    expect(cache.get("a", T0)).toBeUndefined();
  });

  it("remembers the key-set version the token was verified under", () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, maxSeconds: 300 });
    cache.set("a", verified("a", undefined, 7), T0);
    expect(cache.get("a", T0)?.keysVersion).toBe(7);
  });
});
