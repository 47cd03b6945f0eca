import { describe, expect, it } from "vitest";
import { reasonForJoseError } from "../../../../src/core/identity/jwt/jose-errors.ts";

describe("jose error codes → reason codes", () => {
  it.each([
    ["ERR_JWS_SIGNATURE_VERIFICATION_FAILED", undefined, "jwt_signature_invalid"],
    ["ERR_JWKS_MULTIPLE_MATCHING_KEYS", undefined, "jwt_signature_invalid"],
    ["ERR_JOSE_ALG_NOT_ALLOWED", undefined, "jwt_algorithm_not_allowed"],
    ["ERR_JOSE_NOT_SUPPORTED", undefined, "jwt_algorithm_not_allowed"],
    ["ERR_JWS_INVALID", undefined, "jwt_malformed"],
    ["ERR_JWT_INVALID", undefined, "jwt_malformed"],
    ["ERR_JWKS_NO_MATCHING_KEY", undefined, "jwt_key_unknown"],
    ["ERR_JWK_INVALID", undefined, "jwt_key_unknown"],
    ["ERR_JWKS_INVALID", undefined, "jwt_issuer_unavailable"],
    ["ERR_JWKS_TIMEOUT", undefined, "jwt_issuer_unavailable"],
    ["ERR_JWT_EXPIRED", "exp", "jwt_expired"],
    ["ERR_JWT_CLAIM_VALIDATION_FAILED", "aud", "jwt_audience_invalid"],
    ["ERR_JWT_CLAIM_VALIDATION_FAILED", "iss", "jwt_issuer_invalid"],
    ["ERR_JWT_CLAIM_VALIDATION_FAILED", "nbf", "jwt_not_yet_valid"],
    ["ERR_JWT_CLAIM_VALIDATION_FAILED", "exp", "jwt_expired"],
    ["ERR_JWT_CLAIM_VALIDATION_FAILED", "typ", "jwt_claims_invalid"],
    ["ERR_JWT_CLAIM_VALIDATION_FAILED", undefined, "jwt_claims_invalid"],
    ["ERR_SOMETHING_NEW", undefined, "jwt_signature_invalid"],
    [undefined, undefined, "jwt_signature_invalid"],
  ])("%s (claim %s) → %s", (code, claim, reason) => {
    expect(reasonForJoseError(code, claim)).toBe(reason);
  });
});
