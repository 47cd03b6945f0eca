import type { JwtConfig } from "../../core/identity/jwt/jwt-config.ts";
import { JwksKeySet, type JwksEvent, type JwksStatus } from "./jwks-key-set.ts";
import { jwksLoader } from "./jwks-loaders.ts";

// One JwksKeySet per configured issuer, started and stopped together.

export interface JwtKeySets {
  keysFor(issuer: string): JwksKeySet | undefined;
  // Resolves after each issuer's first load attempt, successful or not: an IdP that is down at
  // start-up does not hold the server back (its tokens get jwt_issuer_unavailable meanwhile) and
  // is retried in the background.
  start(): Promise<void>;
  stop(): void;
  status(): JwksStatus[];
}

export interface JwtKeySetsOptions {
  readonly baseDir: string;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
  readonly retryMinMs?: number;
  readonly onEvent?: (event: JwksEvent) => void;
}

export function createJwtKeySets(config: JwtConfig, options: JwtKeySetsOptions): JwtKeySets {
  const sets = new Map<string, JwksKeySet>();
  for (const issuer of config.issuers) {
    const loader = jwksLoader(issuer, { baseDir: options.baseDir, ...(options.fetch === undefined ? {} : { fetch: options.fetch }) });
    sets.set(
      issuer.issuer,
      new JwksKeySet({
        issuer: issuer.issuer,
        algorithms: issuer.algorithms,
        load: loader,
        refreshMs: issuer.keys.refreshSeconds * 1000,
        cooldownMs: issuer.keys.cooldownSeconds * 1000,
        maxStaleMs: issuer.keys.maxStaleSeconds * 1000,
        ...(options.retryMinMs === undefined ? {} : { retryMinMs: options.retryMinMs }),
        ...(options.now === undefined ? {} : { now: options.now }),
        ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
      }),
    );
  }
  return {
    keysFor: (issuer) => sets.get(issuer),
    start: async () => {
      await Promise.all([...sets.values()].map((set) => set.start()));
    },
    stop: () => {
      for (const set of sets.values()) set.stop();
    },
    status: () => [...sets.values()].map((set) => set.status()),
  };
}
