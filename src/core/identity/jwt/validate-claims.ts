import { failure, type JwtFailure } from "./jwt-failure.ts";
import type { IssuerConfig } from "./jwt-config.ts";

// Registered-claim checks on verified claims (RFC 7519 §4.1), with the clock passed in.
// Boundaries, with T the clock tolerance, all in seconds:
//   exp: accepted while now < exp + T        (RFC 7519: "before" exp, so exp itself is expired)
//   nbf: accepted once  now >= nbf - T       (RFC 7519: "not before", so nbf itself is valid)
//   iat: with maxTokenAge A, accepted while now - iat <= A + T, and iat <= now + T
// These match jose's jwtVerify, so either layer gives the same answer.
export function validateClaims(claims: Readonly<Record<string, unknown>>, issuer: IssuerConfig, nowMs: number): JwtFailure | undefined {
  for (const claim of requiredClaims(issuer)) {
    if (!Object.hasOwn(claims, claim))
      return failure(claim === "aud" ? "jwt_audience_invalid" : "jwt_claims_invalid", `the token has no ${claim} claim`);
  }
  if (!audienceMatches(claims["aud"], issuer.audiences)) return failure("jwt_audience_invalid", "the token is not meant for this audience");
  const times = numericDates(claims);
  if (times === undefined) return failure("jwt_claims_invalid", "exp, nbf and iat must be numbers");
  const now = nowMs / 1000;
  const tolerance = issuer.clockToleranceSeconds;
  if (times.exp !== undefined && now >= times.exp + tolerance) return failure("jwt_expired", "the token has expired");
  if (times.nbf !== undefined && now < times.nbf - tolerance) return failure("jwt_not_yet_valid", "the token is not valid yet");
  return tokenAgeProblem(times.iat, issuer, now);
}

function requiredClaims(issuer: IssuerConfig): readonly string[] {
  return issuer.maxTokenAgeSeconds === undefined ? issuer.requiredClaims : [...issuer.requiredClaims, "iat"];
}

// `aud` is a string or a list of strings (RFC 7519 §4.1.3); one accepted audience is enough.
// A missing `aud` never matches: every issuer has audiences, since a token minted for another
// relying party of the same IdP must not work here (RFC 8725 §3.9).
function audienceMatches(aud: unknown, accepted: readonly string[]): boolean {
  if (typeof aud === "string") return accepted.includes(aud);
  if (!Array.isArray(aud)) return false;
  return aud.every((a) => typeof a === "string") && aud.some((a: string) => accepted.includes(a));
}

interface NumericDates {
  readonly exp: number | undefined;
  readonly nbf: number | undefined;
  readonly iat: number | undefined;
}

function numericDates(claims: Readonly<Record<string, unknown>>): NumericDates | undefined {
  const [exp, nbf, iat] = [claims["exp"], claims["nbf"], claims["iat"]];
  const valid = [exp, nbf, iat].every((v) => v === undefined || (typeof v === "number" && Number.isFinite(v)));
  return valid ? { exp: exp as number | undefined, nbf: nbf as number | undefined, iat: iat as number | undefined } : undefined;
}

function tokenAgeProblem(iat: number | undefined, issuer: IssuerConfig, now: number): JwtFailure | undefined {
  const maxAge = issuer.maxTokenAgeSeconds;
  if (maxAge === undefined || iat === undefined) return undefined;
  const tolerance = issuer.clockToleranceSeconds;
  if (now - iat > maxAge + tolerance) return failure("jwt_expired", `the token was issued more than ${maxAge} s ago`);
  if (iat > now + tolerance) return failure("jwt_claims_invalid", "the token was issued in the future");
  return undefined;
}
