import { hash } from "node:crypto";
import type { Identity } from "../identity.ts";
import type { VerifiedJwt } from "./verify-jwt.ts";

// Verified tokens, so a caller sending the same bearer token on every request pays for one
// signature verification (≈80–170 µs) rather than one per request (a SHA-256 of the token costs
// ≈3 µs). Keyed by the token's digest, never the token itself. Bounded: past `maxEntries` the
// least recently used entry goes. An entry lives until the token's `exp` or `maxSeconds` after
// verification, whichever comes first, and is ignored once its issuer's key set has changed.

export interface CachedVerification {
  readonly identity: Identity;
  readonly issuer: string;
  readonly keysVersion: number;
  readonly validUntilMs: number;
}

export interface VerifiedTokenCacheOptions {
  readonly maxEntries: number;
  readonly maxSeconds: number;
}

export function tokenDigest(token: string): string {
  return hash("sha256", token, "base64url");
}

export class VerifiedTokenCache {
  readonly #entries = new Map<string, CachedVerification>();
  readonly #maxEntries: number;
  readonly #maxMs: number;

  constructor(options: VerifiedTokenCacheOptions) {
    this.#maxEntries = Math.max(0, Math.floor(options.maxEntries));
    this.#maxMs = Math.max(0, options.maxSeconds * 1000);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(digest: string, nowMs: number): CachedVerification | undefined {
    const entry = this.#entries.get(digest);
    if (entry === undefined) return undefined;
    this.#entries.delete(digest);
    if (nowMs >= entry.validUntilMs) return undefined;
    this.#entries.set(digest, entry); // most recently used last
    return entry;
  }

  set(digest: string, verified: VerifiedJwt, nowMs: number): void {
    const validUntilMs = Math.min(verified.expiresAtMs ?? Number.POSITIVE_INFINITY, nowMs + this.#maxMs);
    if (this.#maxEntries === 0 || validUntilMs <= nowMs) return;
    this.#entries.delete(digest);
    this.#entries.set(digest, { identity: verified.identity, issuer: verified.issuer, keysVersion: verified.keysVersion, validUntilMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(digest: string): void {
    this.#entries.delete(digest);
  }
}
