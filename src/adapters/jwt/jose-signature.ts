import { compactVerify, type CryptoKey } from "jose";
import type { SignatureCheck } from "../../core/identity/jwt/key-ports.ts";

// The signature layer, and the only place a public-key operation happens: jose's compactVerify
// with exactly one key and one allowed algorithm. Claims are not looked at here (the core checks
// them on the same bytes), which is also what lets the RFC 7515 / RFC 8037 known-answer vectors,
// whose payloads are not JWT claim sets, be checked at this layer.
export async function verifyJwsSignature(token: string, key: CryptoKey, alg: string): Promise<SignatureCheck> {
  try {
    await compactVerify(token, key, { algorithms: [alg] });
    return { ok: true };
  } catch (error) {
    const code = typeof (error as { code?: unknown }).code === "string" ? (error as { code: string }).code : undefined;
    return { ok: false, code, message: error instanceof Error ? error.message : String(error) };
  }
}
