import { isUtf8 } from "node:buffer";
import { err, ok, type Result } from "../../result.ts";
import { isPlainObject } from "../../parse/fields.ts";
import { failure, type JwtFailure } from "./jwt-failure.ts";
import { isAsymmetricAlgorithm, type JwsAlgorithm } from "./jwt-config.ts";

// Shape checks on a JWS Compact Serialization, done before any key lookup or signature work:
// they are cheap, and everything they reject would otherwise cost a JWKS lookup (maybe a fetch)
// and a public-key operation. Nothing here trusts the token: it only decides whether it is worth
// verifying.

export interface CompactJws {
  readonly token: string;
  readonly header: Readonly<Record<string, unknown>>;
  readonly alg: JwsAlgorithm;
  readonly kid: string | undefined;
  readonly payloadSegment: string;
}

export const MAX_KID_LENGTH = 256;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
// Header parameters that point at key material chosen by whoever made the token. Following them
// lets an attacker pick the key (RFC 8725 §3.10); we never do, and a token carrying them is
// refused outright rather than silently verified against configured keys.
const KEY_POINTERS = ["jku", "x5u", "jwk"] as const;

export function parseCompactJws(token: string, maxTokenBytes: number): Result<CompactJws, JwtFailure> {
  if (token.length > maxTokenBytes) return err(failure("jwt_too_large", `the token is longer than ${maxTokenBytes} bytes`));
  const segments = token.split(".", 4);
  if (segments.length !== 3) return err(failure("jwt_malformed", "a JWT has exactly three dot-separated parts"));
  const [headerSegment = "", payloadSegment = "", signatureSegment = ""] = segments;
  if (![headerSegment, payloadSegment, signatureSegment].every(isBase64url)) {
    return err(failure("jwt_malformed", "a JWT part is not base64url"));
  }
  const header = decodeJsonObject(headerSegment);
  if (header === undefined) return err(failure("jwt_malformed", "the JOSE header is not a JSON object"));
  const checked = checkHeader(header);
  if (!checked.ok) return checked;
  if (signatureSegment === "") return err(failure("jwt_malformed", "the token has no signature"));
  return ok({ token, header, alg: checked.value.alg, kid: checked.value.kid, payloadSegment });
}

function checkHeader(header: Readonly<Record<string, unknown>>): Result<{ alg: JwsAlgorithm; kid: string | undefined }, JwtFailure> {
  const alg = header["alg"];
  if (typeof alg !== "string" || alg === "") return err(failure("jwt_malformed", "the JOSE header has no alg"));
  if (!isAsymmetricAlgorithm(alg)) return err(failure("jwt_algorithm_not_allowed", "only asymmetric signature algorithms are accepted"));
  for (const name of KEY_POINTERS) {
    if (Object.hasOwn(header, name)) return err(failure("jwt_malformed", `the JOSE header carries ${name}, which is never followed`));
  }
  // RFC 7515 §4.1.11: a recipient must reject extensions it does not understand; we understand none.
  if (Object.hasOwn(header, "crit")) return err(failure("jwt_malformed", "the JOSE header lists critical extensions"));
  const kid = header["kid"];
  if (kid !== undefined && (typeof kid !== "string" || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
    return err(failure("jwt_malformed", `kid must be a string of 1 to ${MAX_KID_LENGTH} characters`));
  }
  const typ = header["typ"];
  if (typ !== undefined && typeof typ !== "string") return err(failure("jwt_malformed", "typ must be a string"));
  return ok({ alg, kid });
}

export interface ClaimLimits {
  readonly maxAudiences: number;
  readonly maxClaimsDepth: number;
}

// The payload of a JWT, still unverified: used to pick the issuer before verification and, once
// the signature over these same bytes has been checked, as the verified claims.
export function decodeClaims(payloadSegment: string, limits: ClaimLimits): Result<Readonly<Record<string, unknown>>, JwtFailure> {
  const claims = decodeJsonObject(payloadSegment);
  if (claims === undefined) return err(failure("jwt_malformed", "the claims are not a JSON object"));
  if (depthOf(claims) > limits.maxClaimsDepth) {
    return err(failure("jwt_too_large", `the claims nest deeper than ${limits.maxClaimsDepth} levels`));
  }
  const aud = claims["aud"];
  if (Array.isArray(aud) && aud.length > limits.maxAudiences) {
    return err(failure("jwt_too_large", `the token names more than ${limits.maxAudiences} audiences`));
  }
  return ok(claims);
}

function isBase64url(segment: string): boolean {
  // A length of 4n+1 can never come out of base64url encoding.
  return BASE64URL.test(segment) && segment.length % 4 !== 1;
}

function decodeJsonObject(segment: string): Readonly<Record<string, unknown>> | undefined {
  const bytes = Buffer.from(segment, "base64url");
  if (!isUtf8(bytes)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
  return isPlainObject(value) ? value : undefined;
}

// Iterative, so a pathological document cannot overflow the stack here.
function depthOf(root: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[root, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [value, depth] = item;
    if (typeof value !== "object" || value === null) continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return deepest;
}
