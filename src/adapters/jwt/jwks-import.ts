import { createHash } from "node:crypto";
import { importJWK, type CryptoKey, type JWK } from "jose";
import type { JwsAlgorithm } from "../../core/identity/jwt/jwt-config.ts";
import { err, ok, type Result } from "../../core/result.ts";

// A JWKS document → verification keys, ready for the hot path: every usable key imported once per
// algorithm it may verify, indexed by kid. Keys that cannot be used safely are skipped with a
// note (symmetric keys, private keys, encryption keys, RSA below 2048 bits, unknown curves);
// a document with no usable key at all is a failed load, so it never replaces a good set.

export interface ImportedKey {
  readonly kid: string | undefined;
  readonly alg: JwsAlgorithm;
  readonly key: CryptoKey;
}

export interface KeySetSnapshot {
  readonly keys: readonly ImportedKey[];
  readonly fingerprint: string; // SHA-256 over (kid, algorithms, public key) of each key used
  readonly skipped: readonly string[];
  find(kid: string | undefined, alg: string): readonly CryptoKey[];
}

const MAX_KEYS = 100;
const MIN_RSA_BITS = 2048;
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];
const CURVE_OF: Readonly<Partial<Record<JwsAlgorithm, string>>> = {
  ES256: "P-256",
  ES384: "P-384",
  ES512: "P-521",
  EdDSA: "Ed25519",
  Ed25519: "Ed25519",
};

export async function importJwks(doc: unknown, algorithms: readonly JwsAlgorithm[]): Promise<Result<KeySetSnapshot, string>> {
  const list = isObject(doc) ? doc["keys"] : undefined;
  if (!Array.isArray(list)) return err("the JWKS is not an object with a keys list");
  if (list.length > MAX_KEYS) return err(`the JWKS has more than ${MAX_KEYS} keys`);
  const keys: ImportedKey[] = [];
  const used: unknown[] = [];
  const skipped: string[] = [];
  for (const [i, jwk] of list.entries()) {
    const imported = await importOne(jwk, algorithms);
    if (!imported.ok) skipped.push(`keys[${i}]: ${imported.error}`);
    else {
      keys.push(...imported.value.keys);
      used.push([imported.value.keys[0]?.kid, imported.value.keys.map((k) => k.alg), imported.value.publicJwk]);
    }
  }
  if (keys.length === 0) return err(`the JWKS has no usable signing key${skipped.length > 0 ? ` (${skipped.join("; ")})` : ""}`);
  const fingerprint = createHash("sha256").update(JSON.stringify(used)).digest("base64url");
  return ok(snapshotOf(keys, fingerprint, skipped));
}

async function importOne(jwk: unknown, allowed: readonly JwsAlgorithm[]): Promise<Result<{ keys: ImportedKey[]; publicJwk: JWK }, string>> {
  if (!isObject(jwk)) return err("not an object");
  if (jwk["use"] !== undefined && jwk["use"] !== "sig") return err("not a signing key (use)");
  const ops = jwk["key_ops"];
  if (Array.isArray(ops) && !ops.includes("verify")) return err("not a verification key (key_ops)");
  if (PRIVATE_MEMBERS.some((m) => Object.hasOwn(jwk, m))) return err("carries private or symmetric key material");
  const publicJwk = publicPart(jwk);
  if (publicJwk === undefined) return err(`unsupported key type ${JSON.stringify(jwk["kty"])}`);
  const kid = typeof jwk["kid"] === "string" && jwk["kid"] !== "" ? jwk["kid"] : undefined;
  const algs = candidateAlgorithms(jwk, publicJwk, allowed);
  if (algs.length === 0) return err("no allowed algorithm fits this key");
  const keys: ImportedKey[] = [];
  for (const alg of algs) {
    try {
      keys.push({ kid, alg, key: (await importJWK(publicJwk, alg)) as CryptoKey });
    } catch (error) {
      return err(`cannot be imported for ${alg}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return ok({ keys, publicJwk });
}

// Only the public members, so nothing else in the document (x5c, ext, oddities) reaches jose.
function publicPart(jwk: Record<string, unknown>): JWK | undefined {
  const { kty, n, e, crv, x, y } = jwk;
  if (kty === "RSA" && typeof n === "string" && typeof e === "string") return { kty, n, e };
  if (kty === "EC" && typeof crv === "string" && typeof x === "string" && typeof y === "string") return { kty, crv, x, y };
  if (kty === "OKP" && crv === "Ed25519" && typeof x === "string") return { kty, crv, x };
  return undefined;
}

// The key's own `alg` when it names one, otherwise every allowed algorithm its type fits.
function candidateAlgorithms(jwk: Record<string, unknown>, key: JWK, allowed: readonly JwsAlgorithm[]): JwsAlgorithm[] {
  const fits = allowed.filter((alg) => fitsKey(alg, key));
  const own = jwk["alg"];
  return own === undefined ? fits : fits.filter((alg) => alg === own);
}

function fitsKey(alg: JwsAlgorithm, key: JWK): boolean {
  if (key.kty === "RSA") return /^(RS|PS)\d+$/.test(alg) && Buffer.from(key.n ?? "", "base64url").byteLength * 8 >= MIN_RSA_BITS;
  return CURVE_OF[alg] !== undefined && CURVE_OF[alg] === key.crv && (key.kty === "EC") === alg.startsWith("ES");
}

function snapshotOf(keys: readonly ImportedKey[], fingerprint: string, skipped: readonly string[]): KeySetSnapshot {
  const index = new Map<string, CryptoKey[]>();
  for (const { kid, alg, key } of keys) {
    const slot = `${kid ?? ""}\u0000${alg}`;
    index.set(slot, [...(index.get(slot) ?? []), key]);
  }
  const byAlg = (alg: string) => keys.filter((k) => k.alg === alg).map((k) => k.key);
  return Object.freeze({
    keys: Object.freeze([...keys]),
    fingerprint,
    skipped: Object.freeze([...skipped]),
    // A token without kid may use any key of its algorithm (single-key issuers often omit kid).
    find: (kid: string | undefined, alg: string) => (kid === undefined ? byAlg(alg) : (index.get(`${kid}\u0000${alg}`) ?? [])),
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
