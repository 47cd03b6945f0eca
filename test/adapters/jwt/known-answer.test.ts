import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCompactJws } from "../../../src/core/identity/jwt/compact-jws.ts";
import { ASYMMETRIC_ALGORITHMS } from "../../../src/core/identity/jwt/jwt-config.ts";
import { reasonForJoseError } from "../../../src/core/identity/jwt/jose-errors.ts";
import { verifyJwsSignature } from "../../../src/adapters/jwt/jose-signature.ts";
import { importJwks } from "../../../src/adapters/jwt/jwks-import.ts";

// RFC 7515 / RFC 8037 examples and Wycheproof-style invalid signatures (test/fixtures/jws/README.md),
// checked at the signature layer: shape checks → the key set built from a JWKS → jose.

interface ValidVector {
  readonly source: string;
  readonly alg: string;
  readonly jwk: Record<string, unknown>;
  readonly token: string;
  readonly payload: string;
}

interface InvalidVector {
  readonly description: string;
  readonly derivedFrom: string;
  readonly key: string;
  readonly token: string;
  readonly expect: string;
}

const dir = join(import.meta.dirname, "../../fixtures/jws");
const read = <T>(path: string): T => JSON.parse(readFileSync(join(dir, path), "utf8")) as T;
const validNames = readdirSync(join(dir, "valid")).map((f) => f.replace(/\.json$/, ""));
const invalidNames = readdirSync(join(dir, "invalid")).map((f) => f.replace(/\.json$/, ""));
const valid = (name: string) => read<ValidVector>(`valid/${name}.json`);

async function signatureLayer(token: string, jwk: Record<string, unknown>): Promise<string> {
  const jws = parseCompactJws(token, 8192);
  if (!jws.ok) return jws.error.reason;
  const imported = await importJwks({ keys: [jwk] }, ASYMMETRIC_ALGORITHMS);
  if (!imported.ok) throw new Error(imported.error);
  const keys = imported.value.find(jws.value.kid, jws.value.alg);
  if (keys.length === 0) return "jwt_key_unknown";
  let reason = "";
  for (const key of keys) {
    const check = await verifyJwsSignature(token, key, jws.value.alg);
    if (check.ok) return "valid";
    reason = reasonForJoseError(check.code);
  }
  return reason;
}

describe("JWS known-answer vectors", () => {
  it("has the three RFC examples and the invalid set", () => {
    expect(validNames.sort()).toEqual(["rfc7515-a2-rs256", "rfc7515-a3-es256", "rfc8037-a4-ed25519"]);
    expect(invalidNames.length).toBeGreaterThanOrEqual(30);
  });

  it.each(validNames)("%s verifies with its published key", async (name) => {
    const vector = valid(name);
    expect(vector.source).toMatch(/^RFC (7515|8037)/);
    expect(await signatureLayer(vector.token, vector.jwk)).toBe("valid");
    const payload = Buffer.from(vector.token.split(".")[1] ?? "", "base64url").toString("utf8");
    expect(payload).toBe(vector.payload);
  });

  it.each([
    ["rfc7515-a2-rs256", "rfc7515-a3-es256"],
    ["rfc7515-a3-es256", "rfc8037-a4-ed25519"],
    ["rfc8037-a4-ed25519", "rfc7515-a2-rs256"],
  ])("%s does not verify with the key of %s", async (token, key) => {
    expect(await signatureLayer(valid(token).token, valid(key).jwk)).toBe("jwt_key_unknown");
  });

  it("the RS256 example does not verify with another RSA key", async () => {
    const other = { ...valid("rfc7515-a2-rs256").jwk, n: `${"q".repeat(341)}Q` };
    expect(await signatureLayer(valid("rfc7515-a2-rs256").token, other)).toBe("jwt_signature_invalid");
  });

  it.each(invalidNames)("%s is rejected with its reason", async (name) => {
    const vector = read<InvalidVector>(`invalid/${name}.json`);
    expect(vector.derivedFrom).toMatch(/^RFC (7515|8037)/);
    expect(await signatureLayer(vector.token, valid(vector.key).jwk), vector.description).toBe(vector.expect);
  });
});
