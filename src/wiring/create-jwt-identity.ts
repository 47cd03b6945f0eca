import type { JwtConfig } from "../core/identity/jwt/jwt-config.ts";
import { jwtSource } from "../core/identity/jwt/jwt-source.ts";
import { VerifiedTokenCache } from "../core/identity/jwt/verified-token-cache.ts";
import { createJwtVerifier } from "../core/identity/jwt/verify-jwt.ts";
import type { IdentitySource } from "../core/identity/sources.ts";
import { verifyJwsSignature } from "../adapters/jwt/jose-signature.ts";
import type { JwksStatus } from "../adapters/jwt/jwks-key-set.ts";
import { createJwtKeySets, type JwtKeySets, type JwtKeySetsOptions } from "../adapters/jwt/jwt-key-sets.ts";

// The JWT identity source with its key sets, the jose signature
// layer and the verified-token cache. `start()` before serving; `stop()` on shutdown.

export interface JwtIdentity {
  readonly source: IdentitySource;
  readonly keySets: JwtKeySets;
  readonly cache: VerifiedTokenCache;
  start(): Promise<void>;
  stop(): void;
  status(): JwksStatus[];
}

export interface JwtIdentityOptions extends JwtKeySetsOptions {
  readonly name?: string; // source name, default "jwt"
}

export function createJwtIdentity(config: JwtConfig, options: JwtIdentityOptions): JwtIdentity {
  const keySets = createJwtKeySets(config, options);
  const verifier = createJwtVerifier({ config, keysFor: keySets.keysFor, verifySignature: verifyJwsSignature });
  const cache = new VerifiedTokenCache(config.cache);
  const source = jwtSource({
    ...(options.name === undefined ? {} : { name: options.name }),
    verifier,
    maxTokenBytes: config.limits.maxTokenBytes,
    cache,
  });
  return { source, keySets, cache, start: () => keySets.start(), stop: () => keySets.stop(), status: () => keySets.status() };
}
