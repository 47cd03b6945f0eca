// The one closed set of reason codes. Responses, audit records and metric labels all use these
// strings, so a code is never renamed without a note in the README's Decisions section.
export const REASONS = {
  allowed: { status: 200, title: "Allowed" },

  request_malformed: { status: 400, title: "The authorization request is malformed" },
  request_too_large: { status: 413, title: "The authorization request is larger than this server accepts" },
  path_invalid: { status: 400, title: "The request path cannot be canonicalised" },
  host_invalid: { status: 400, title: "The request host is invalid" },
  header_invalid: { status: 400, title: "A request header is invalid" },
  body_unavailable: { status: 403, title: "The request body is needed to resolve the model but was not sent whole" },
  body_malformed: { status: 400, title: "The request body cannot be parsed" },
  model_ambiguous: { status: 403, title: "The request names more than one model" },
  model_missing: { status: 403, title: "The request does not name a model" },
  model_invalid: { status: 400, title: "The model name is invalid" },

  credential_missing: { status: 401, title: "No credential was presented" },
  credential_conflict: { status: 401, title: "Several different credentials were presented" },
  api_key_malformed: { status: 401, title: "The API key is malformed" },
  api_key_checksum: { status: 401, title: "The API key checksum does not match" },
  api_key_unknown: { status: 401, title: "The API key is not known" },
  api_key_expired: { status: 401, title: "The API key has expired" },
  api_key_revoked: { status: 401, title: "The API key has been revoked" },

  jwt_malformed: { status: 401, title: "The bearer token is not a well-formed JWT" },
  jwt_too_large: { status: 401, title: "The bearer token exceeds the size or shape limits" },
  jwt_algorithm_not_allowed: { status: 401, title: "The token's signing algorithm is not allowed" },
  jwt_key_unknown: { status: 401, title: "The token was signed by a key the issuer does not publish" },
  jwt_signature_invalid: { status: 401, title: "The token signature is invalid" },
  jwt_issuer_invalid: { status: 401, title: "The token issuer is not accepted" },
  jwt_audience_invalid: { status: 401, title: "The token audience is not accepted" },
  jwt_expired: { status: 401, title: "The token has expired" },
  jwt_not_yet_valid: { status: 401, title: "The token is not valid yet" },
  jwt_claims_invalid: { status: 401, title: "The token's claims are invalid" },
  jwt_issuer_unavailable: { status: 401, title: "The token issuer's keys are unavailable" },

  mtls_certificate_invalid: { status: 401, title: "The client certificate cannot be used" },
  mtls_certificate_expired: { status: 401, title: "The client certificate has expired" },
  mtls_certificate_not_yet_valid: { status: 401, title: "The client certificate is not valid yet" },
  mtls_untrusted: { status: 401, title: "The client certificate does not chain to a trusted CA" },
  mtls_identity_invalid: { status: 401, title: "The client certificate's identity is not accepted" },
  xfcc_malformed: { status: 401, title: "The x-forwarded-client-cert header is malformed" },

  policy_denied: { status: 403, title: "A Deny rule matched" },
  policy_no_match: { status: 403, title: "No rule allows this request" },

  rate_limited: { status: 429, title: "Rate limit exceeded" },
  penalty_box: { status: 429, title: "Temporarily blocked after repeated rate-limit violations" },
  anomaly_blocked: { status: 429, title: "Temporarily blocked after unusual activity" },
  limiter_unavailable: { status: 503, title: "The rate limiter is unavailable" },
  audit_unavailable: { status: 503, title: "The audit log cannot record the decision" },

  deadline_exceeded: { status: 503, title: "The decision could not be made before the caller's deadline" },
  overloaded: { status: 503, title: "Too many checks in flight" },
  not_ready: { status: 503, title: "Policies have not been loaded yet" },
  internal_error: { status: 503, title: "Internal error" },
} as const satisfies Record<string, { readonly status: number; readonly title: string }>;

export type ReasonCode = keyof typeof REASONS;
export type DenyReason = Exclude<ReasonCode, "allowed">;

export const REASON_CODES: readonly ReasonCode[] = Object.freeze(Object.keys(REASONS) as ReasonCode[]);

export function httpStatusOf(reason: ReasonCode): number {
  return REASONS[reason].status;
}
