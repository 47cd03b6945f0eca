import type { Identity } from "../identity.ts";
import { REASONS } from "../../reason.ts";
import { err, ok, type Result } from "../../result.ts";
import { identityFromClaims } from "./claim-mapping.ts";
import { decodeClaims, parseCompactJws, type CompactJws } from "./compact-jws.ts";
import { checkHeaderForIssuer } from "./issuer-checks.ts";
import { reasonForJoseError } from "./jose-errors.ts";
import type { IssuerConfig, JwtConfig } from "./jwt-config.ts";
import { failure, type JwtFailure } from "./jwt-failure.ts";
import type { IssuerKeys, SignatureVerifier } from "./key-ports.ts";
import { validateClaims } from "./validate-claims.ts";

// One bearer token → an Identity or a reason, in an order where everything cheap and local comes
// before anything that costs a key lookup or a public-key operation:
//   shape and header → claims decoded (unverified) → issuer chosen by `iss` → that issuer's
//   header rules → key by kid → signature → registered claims → claim mapping.
// The issuer is picked from the unverified `iss`, then the token must verify against that
// issuer's keys only, so a token can never choose keys from another issuer.

export interface VerifiedJwt {
  readonly identity: Identity;
  readonly issuer: string;
  readonly keysVersion: number;
  readonly expiresAtMs: number | undefined;
}

export interface JwtVerifierDeps<K> {
  readonly config: JwtConfig;
  readonly keysFor: (issuer: string) => IssuerKeys<K> | undefined;
  readonly verifySignature: SignatureVerifier<K>;
}

export interface JwtVerifier {
  verify(token: string, nowMs: number): Promise<Result<VerifiedJwt, JwtFailure>>;
  // The current key-set version of an issuer, to tell whether a cached verification still holds.
  keysVersion(issuer: string): number | undefined;
}

// A key lookup may offer several keys (a kid reused across a rotation, or no kid at all); only a
// few are tried so a token cannot make us run many public-key operations.
const MAX_KEYS_TRIED = 4;

export function createJwtVerifier<K>(deps: JwtVerifierDeps<K>): JwtVerifier {
  const issuers = new Map(deps.config.issuers.map((issuer) => [issuer.issuer, issuer]));
  return {
    verify: (token, nowMs) => verifyJwt(token, nowMs, deps, issuers),
    keysVersion: (issuer) => deps.keysFor(issuer)?.version,
  };
}

async function verifyJwt<K>(
  token: string,
  nowMs: number,
  deps: JwtVerifierDeps<K>,
  issuers: ReadonlyMap<string, IssuerConfig>,
): Promise<Result<VerifiedJwt, JwtFailure>> {
  const jws = parseCompactJws(token, deps.config.limits.maxTokenBytes);
  if (!jws.ok) return jws;
  const claims = decodeClaims(jws.value.payloadSegment, deps.config.limits);
  if (!claims.ok) return claims;
  const iss = claims.value["iss"];
  const issuer = typeof iss === "string" ? issuers.get(iss) : undefined;
  const keys = issuer === undefined ? undefined : deps.keysFor(issuer.issuer);
  if (issuer === undefined || keys === undefined) return err(failure("jwt_issuer_invalid", "the token's issuer is not accepted"));
  const headerProblem = checkHeaderForIssuer(jws.value, issuer);
  if (headerProblem !== undefined) return err(headerProblem);
  const keysVersion = keys.version;
  const signed = await verifySignature(jws.value, keys, deps.verifySignature);
  if (signed !== undefined) return err(signed);
  const claimProblem = validateClaims(claims.value, issuer, nowMs);
  if (claimProblem !== undefined) return err(claimProblem);
  const identity = identityFromClaims(claims.value, issuer.claims, issuer.issuer, jws.value.kid ?? "");
  if (!identity.ok) return err(failure("jwt_claims_invalid", identity.error));
  const exp = claims.value["exp"];
  return ok({
    identity: identity.value,
    issuer: issuer.issuer,
    keysVersion,
    expiresAtMs: typeof exp === "number" ? exp * 1000 : undefined,
  });
}

async function verifySignature<K>(jws: CompactJws, keys: IssuerKeys<K>, verify: SignatureVerifier<K>): Promise<JwtFailure | undefined> {
  const lookup = await keys.lookup(jws.kid, jws.alg);
  if (lookup.kind === "unknown") return failure("jwt_key_unknown", lookup.detail);
  if (lookup.kind === "unavailable") return failure("jwt_issuer_unavailable", lookup.detail);
  let last: JwtFailure = failure("jwt_key_unknown", "the issuer publishes no key for this token");
  for (const key of lookup.keys.slice(0, MAX_KEYS_TRIED)) {
    const check = await verify(jws.token, key, jws.alg);
    if (check.ok) return undefined;
    const reason = reasonForJoseError(check.code);
    last = failure(reason, REASONS[reason].title);
  }
  return last;
}
