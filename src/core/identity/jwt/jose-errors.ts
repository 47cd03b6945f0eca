import type { JwtReason } from "./jwt-failure.ts";

// jose reports failures as errors with a stable `code` (and, for claim checks, the claim).
// The adapter passes the code across as a string, so the core maps it without importing jose.
// Anything unrecognised is a signature failure: fail closed, never "probably fine".
const BY_CODE: Readonly<Record<string, JwtReason>> = {
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: "jwt_signature_invalid",
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: "jwt_signature_invalid",
  ERR_JOSE_ALG_NOT_ALLOWED: "jwt_algorithm_not_allowed",
  ERR_JOSE_NOT_SUPPORTED: "jwt_algorithm_not_allowed",
  ERR_JWS_INVALID: "jwt_malformed",
  ERR_JWT_INVALID: "jwt_malformed",
  ERR_JWKS_NO_MATCHING_KEY: "jwt_key_unknown",
  ERR_JWK_INVALID: "jwt_key_unknown",
  ERR_JWKS_INVALID: "jwt_issuer_unavailable",
  ERR_JWKS_TIMEOUT: "jwt_issuer_unavailable",
  ERR_JWT_EXPIRED: "jwt_expired",
};

const BY_CLAIM: Readonly<Record<string, JwtReason>> = {
  aud: "jwt_audience_invalid",
  iss: "jwt_issuer_invalid",
  nbf: "jwt_not_yet_valid",
  exp: "jwt_expired",
};

export function reasonForJoseError(code: string | undefined, claim?: string): JwtReason {
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") return (claim === undefined ? undefined : BY_CLAIM[claim]) ?? "jwt_claims_invalid";
  return (code === undefined ? undefined : BY_CODE[code]) ?? "jwt_signature_invalid";
}
