import type { SourceOutcome } from "../identity.ts";
import type { Result } from "../../result.ts";
import type { NormalizedRequest } from "../../request/normalized-request.ts";
import { looksLikeApiKey } from "../api-key-format.ts";
import { ABSENT, bearerToken, type IdentitySource } from "../sources.ts";
import { failure, type JwtFailure } from "./jwt-failure.ts";
import { tokenDigest, type VerifiedTokenCache } from "./verified-token-cache.ts";
import type { JwtVerifier, VerifiedJwt } from "./verify-jwt.ts";

// The OIDC/JWT bearer-token source. Every `Authorization: Bearer` token except an API key
// (mgk_…, owned by the API key source) is this source's credential: present means it decides,
// and an invalid token is a 401 that never falls through to a later source or to anonymous.

export interface JwtSourceOptions {
  readonly name?: string; // default "jwt"
  readonly verifier: JwtVerifier;
  readonly maxTokenBytes: number; // checked before the token is even hashed
  readonly cache?: VerifiedTokenCache | undefined;
}

export const JWT_SCHEME = "Bearer";
const CREDENTIAL_HEADERS: readonly string[] = Object.freeze(["authorization"]);

export function jwtSource(options: JwtSourceOptions): IdentitySource {
  // Concurrent requests with the same uncached token share one verification.
  const inFlight = new Map<string, Promise<Result<VerifiedJwt, JwtFailure>>>();
  return Object.freeze({
    name: options.name ?? "jwt",
    scheme: JWT_SCHEME,
    credentialHeaders: CREDENTIAL_HEADERS,
    identify: (req: NormalizedRequest, now: number) => identifyByJwt(req, now, options, inFlight),
  });
}

function identifyByJwt(
  req: NormalizedRequest,
  now: number,
  options: JwtSourceOptions,
  inFlight: Map<string, Promise<Result<VerifiedJwt, JwtFailure>>>,
): SourceOutcome | Promise<SourceOutcome> {
  const token = bearerToken(req.headers);
  if (token === undefined || looksLikeApiKey(token)) return ABSENT;
  if (token === "") return rejected(failure("jwt_malformed", "the bearer token is empty"));
  if (token.length > options.maxTokenBytes) {
    return rejected(failure("jwt_too_large", `the token is longer than ${options.maxTokenBytes} bytes`));
  }
  const digest = tokenDigest(token);
  const cached = options.cache?.get(digest, now);
  if (cached !== undefined && options.verifier.keysVersion(cached.issuer) === cached.keysVersion) {
    return identified(cached.identity);
  }
  let pending = inFlight.get(digest);
  if (pending === undefined) {
    pending = options.verifier.verify(token, now).finally(() => inFlight.delete(digest));
    inFlight.set(digest, pending);
  }
  return pending.then((result) => {
    if (!result.ok) return rejected(result.error);
    options.cache?.set(digest, result.value, now);
    return identified(result.value.identity);
  });
}

function identified(identity: VerifiedJwt["identity"]): SourceOutcome {
  return { kind: "identified", identity };
}

function rejected(problem: JwtFailure): SourceOutcome {
  return { kind: "rejected", reason: problem.reason, scheme: JWT_SCHEME, detail: problem.detail };
}
