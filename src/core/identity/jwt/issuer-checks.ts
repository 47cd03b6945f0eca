import type { CompactJws } from "./compact-jws.ts";
import { failure, type JwtFailure } from "./jwt-failure.ts";
import type { IssuerConfig } from "./jwt-config.ts";

// Checks that depend on which issuer the token claims to come from, still before any key lookup:
// the issuer's algorithm allowlist and explicit typing (RFC 8725 §3.1, §3.11).
export function checkHeaderForIssuer(jws: CompactJws, issuer: IssuerConfig): JwtFailure | undefined {
  if (!issuer.algorithms.includes(jws.alg)) {
    return failure("jwt_algorithm_not_allowed", `this issuer does not allow ${jws.alg}`);
  }
  if (issuer.typ !== undefined) {
    const typ = jws.header["typ"];
    if (typeof typ !== "string" || normalizeTyp(typ) !== normalizeTyp(issuer.typ)) {
      return failure("jwt_claims_invalid", `the token's typ is not ${issuer.typ}`);
    }
  }
  return undefined;
}

// RFC 7515 §4.1.9: "application/" may be omitted from typ, and media types compare case-insensitively.
function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith("application/") ? lower.slice("application/".length) : lower;
}
