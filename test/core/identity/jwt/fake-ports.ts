import { createHash } from "node:crypto";
import type { IssuerKeys, KeyLookup, SignatureVerifier } from "../../../../src/core/identity/jwt/key-ports.ts";
import { unsignedToken } from "./helpers.ts";

// Stand-ins for the JWKS cache and the jose signature layer, so the core's ordering and caching
// can be observed exactly: keys are names, and a "signature" is SHA-256(signing input + key).

export interface FakeKeys extends IssuerKeys<string> {
  version: number;
  lookups: number;
  result: KeyLookup<string>;
}

export function fakeKeys(keys: readonly string[] = ["key-a"]): FakeKeys {
  const fake: FakeKeys = {
    version: 1,
    lookups: 0,
    result: { kind: "found", keys },
    lookup() {
      fake.lookups++;
      return fake.result;
    },
  };
  return fake;
}

export interface CountingVerifier {
  readonly verify: SignatureVerifier<string>;
  readonly calls: () => number;
}

export function countingVerifier(): CountingVerifier {
  let calls = 0;
  return {
    verify: async (token, key) => {
      calls++;
      await Promise.resolve();
      const [h = "", p = "", s = ""] = token.split(".");
      return s === fakeSignature(`${h}.${p}`, key)
        ? { ok: true }
        : { ok: false, code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", message: "bad" };
    },
    calls: () => calls,
  };
}

export function fakeSignature(signingInput: string, key: string): string {
  return createHash("sha256").update(`${signingInput}|${key}`).digest("base64url");
}

export function signedToken(header: Record<string, unknown>, claims: unknown, key = "key-a"): string {
  const unsigned = unsignedToken(header, claims);
  const input = unsigned.slice(0, unsigned.lastIndexOf("."));
  return `${input}.${fakeSignature(input, key)}`;
}
