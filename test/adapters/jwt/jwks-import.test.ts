import { generateKeyPairSync } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { importJwks } from "../../../src/adapters/jwt/jwks-import.ts";
import { DEFAULT_ALGORITHMS, type JwsAlgorithm } from "../../../src/core/identity/jwt/jwt-config.ts";

let rsa: JWK;
let ec: JWK;
let ed: JWK;
let rsaPrivate: JWK;

beforeAll(async () => {
  const [r, e, d] = await Promise.all([
    generateKeyPair("RS256", { extractable: true }),
    generateKeyPair("ES256", { extractable: true }),
    generateKeyPair("EdDSA", { extractable: true }),
  ]);
  rsa = await exportJWK(r.publicKey);
  rsaPrivate = await exportJWK(r.privateKey);
  ec = await exportJWK(e.publicKey);
  ed = await exportJWK(d.publicKey);
});

async function algsOf(jwk: () => Record<string, unknown>, allowed: readonly JwsAlgorithm[] = DEFAULT_ALGORITHMS) {
  const imported = await importJwks({ keys: [{ kid: "k", ...jwk() }] }, allowed);
  return imported.ok ? imported.value.keys.map((k) => k.alg) : imported.error;
}

describe("JWKS import", () => {
  it.each([
    ["an RSA key without alg: every allowed RSA algorithm", () => rsa, ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]],
    ["an RSA key with alg RS256: only RS256", () => ({ ...rsa, alg: "RS256" }), ["RS256"]],
    ["a P-256 key: ES256", () => ec, ["ES256"]],
    ["an Ed25519 key: EdDSA and Ed25519", () => ed, ["EdDSA", "Ed25519"]],
    ["a key with use sig", () => ({ ...ec, use: "sig" }), ["ES256"]],
    ["a key with key_ops verify", () => ({ ...ec, key_ops: ["verify"] }), ["ES256"]],
    ["a key carrying x5c (ignored, never trusted)", () => ({ ...ec, x5c: ["MIIB"] }), ["ES256"]],
  ])("imports %s", async (_name, jwk, expected) => {
    expect(await algsOf(jwk)).toEqual(expected);
  });

  it("limits an RSA key to the issuer's algorithms", async () => {
    expect(await algsOf(() => rsa, ["RS256", "ES256"])).toEqual(["RS256"]);
  });

  it.each([
    ["a symmetric (oct) key", () => ({ kty: "oct", k: "c2VjcmV0" }), "private or symmetric"],
    ["a private RSA key", () => rsaPrivate, "private or symmetric"],
    ["an encryption key", () => ({ ...ec, use: "enc" }), "not a signing key"],
    ["a key_ops without verify", () => ({ ...ec, key_ops: ["encrypt"] }), "not a verification key"],
    [
      "a 1024-bit RSA key",
      () => generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "jwk" }) as JWK,
      "no allowed algorithm",
    ],
    ["a P-256 key labelled ES384", () => ({ ...ec, alg: "ES384" }), "no allowed algorithm"],
    ["a P-256 key labelled HS256", () => ({ ...ec, alg: "HS256" }), "no allowed algorithm"],
    ["an X25519 key", () => ({ kty: "OKP", crv: "X25519", x: ed.x }), "unsupported key type"],
    ["a point not on the curve", () => ({ ...ec, y: ec.x }), "cannot be imported"],
    ["no kty", () => ({ n: rsa.n, e: rsa.e }), "unsupported key type"],
  ])("skips %s, and a set of only that is a failed load", async (_name, jwk, message) => {
    const result = await algsOf(jwk);
    expect(typeof result === "string" && result).toContain("no usable signing key");
    expect(result).toContain(message);
  });

  it("keeps the usable keys of a mixed set and notes the rest", async () => {
    const imported = await importJwks(
      {
        keys: [
          { kty: "oct", k: "c2VjcmV0" },
          { ...ec, kid: "ok" },
        ],
      },
      DEFAULT_ALGORITHMS,
    );
    expect(imported.ok && imported.value.keys.map((k) => k.kid)).toEqual(["ok"]);
    expect(imported.ok && imported.value.skipped).toEqual(["keys[0]: carries private or symmetric key material"]);
  });

  it.each([
    ["not an object", "keys"],
    ["an object without keys", {}],
    ["keys not a list", { keys: {} }],
    ["more than 100 keys", { keys: Array.from({ length: 101 }, () => ({})) }],
  ])("fails on a document that is %s", async (_name, doc) => {
    expect((await importJwks(doc, DEFAULT_ALGORITHMS)).ok).toBe(false);
  });

  it("finds keys by kid and algorithm; a token without kid may use any key of its algorithm", async () => {
    const imported = await importJwks({ keys: [{ ...ec, kid: "a" }, { ...rsa, kid: "b" }, { ...ed }] }, DEFAULT_ALGORITHMS);
    if (!imported.ok) throw new Error(imported.error);
    const set = imported.value;
    expect(set.find("a", "ES256")).toHaveLength(1);
    expect(set.find("a", "RS256")).toHaveLength(0);
    expect(set.find("b", "PS256")).toHaveLength(1);
    expect(set.find("c", "ES256")).toHaveLength(0);
    expect(set.find(undefined, "EdDSA")).toHaveLength(1);
    expect(set.find(undefined, "ES256")).toHaveLength(1);
    expect(set.find("__proto__", "ES256")).toHaveLength(0);
  });

  it("fingerprints the key set: the same keys give the same fingerprint, any change a new one", async () => {
    const fp = async (keys: JWK[]) => {
      const imported = await importJwks({ keys }, DEFAULT_ALGORITHMS);
      return imported.ok ? imported.value.fingerprint : "";
    };
    const one = await fp([{ ...ec, kid: "a" }]);
    expect(await fp([{ ...ec, kid: "a", x5t: "ignored" }])).toBe(one);
    expect(
      await fp([
        { ...ec, kid: "a" },
        { ...ed, kid: "b" },
      ]),
    ).not.toBe(one);
    expect(await fp([{ ...ec, kid: "renamed" }])).not.toBe(one);
  });
});
