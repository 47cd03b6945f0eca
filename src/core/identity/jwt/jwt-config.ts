import type { ClaimPath } from "./claim-path.ts";

// The JWT identity source's configuration, after validation (parse-jwt-config.ts builds it).

// Asymmetric JWS algorithms only: an HMAC algorithm would let anyone holding the issuer's public
// key (which is public) mint tokens (RFC 8725 §2.1), and `none` is no signature at all.
export const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
] as const;

export type JwsAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

// ES512 costs ≈1.2 ms per verification (ten times ES256), so an issuer must name it to use it.
export const DEFAULT_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze(ASYMMETRIC_ALGORITHMS.filter((alg) => alg !== "ES512"));

export function isAsymmetricAlgorithm(alg: string): alg is JwsAlgorithm {
  return (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg);
}

// Where an issuer's verification keys come from. Never from the token itself.
export type KeySource =
  | { readonly kind: "discovery" } // <issuer>/.well-known/openid-configuration → jwks_uri
  | { readonly kind: "jwksUri"; readonly uri: string }
  | { readonly kind: "jwksFile"; readonly path: string }; // relative to the config file

export interface ClaimMapping {
  readonly subject: ClaimPath;
  readonly groups: readonly ClaimPath[]; // union of every path's values
  readonly attributes: ReadonlyMap<string, ClaimPath>; // attribute name → claim path
}

export interface KeyRefresh {
  readonly refreshSeconds: number; // background refetch interval
  readonly cooldownSeconds: number; // at most one fetch per cooldown when a token names an unknown kid
  readonly timeoutSeconds: number; // per HTTP request
  readonly maxStaleSeconds: number; // how long the last good key set serves while the IdP is down
}

export interface IssuerConfig {
  readonly issuer: string; // compared with the token's `iss` exactly
  readonly keySource: KeySource;
  readonly audiences: readonly string[]; // the token's `aud` must contain one of these
  readonly algorithms: readonly JwsAlgorithm[];
  readonly clockToleranceSeconds: number;
  readonly typ: string | undefined; // required JOSE header `typ`, e.g. "at+jwt" (RFC 9068)
  readonly requiredClaims: readonly string[];
  readonly maxTokenAgeSeconds: number | undefined; // needs `iat` when set
  readonly allowInsecureHttp: boolean; // http:// issuer / JWKS URLs beyond loopback
  readonly claims: ClaimMapping;
  readonly keys: KeyRefresh;
}

// Checked before any key lookup or signature work (security.md J8).
export interface TokenLimits {
  readonly maxTokenBytes: number;
  readonly maxAudiences: number;
  readonly maxClaimsDepth: number;
}

export interface VerifiedCacheConfig {
  readonly maxEntries: number; // 0 disables the cache
  readonly maxSeconds: number; // an entry lives until min(exp, verified + maxSeconds)
}

export interface JwtConfig {
  readonly issuers: readonly IssuerConfig[];
  readonly limits: TokenLimits;
  readonly cache: VerifiedCacheConfig;
}

export const JWT_DEFAULTS = Object.freeze({
  maxTokenBytes: 8192,
  maxAudiences: 32,
  maxClaimsDepth: 16,
  cacheMaxEntries: 10_000,
  cacheMaxSeconds: 300,
  clockToleranceSeconds: 30,
  requiredClaims: Object.freeze<readonly string[]>(["exp"]),
  subjectClaim: "sub",
  groupsClaims: Object.freeze<readonly string[]>(["groups"]),
  refreshSeconds: 300,
  cooldownSeconds: 30,
  timeoutSeconds: 5,
  maxStaleSeconds: 86_400,
});
