import { parseJwtConfig } from "../../../../src/config/parse-jwt-config.ts";
import type { IssuerConfig, JwtConfig } from "../../../../src/core/identity/jwt/jwt-config.ts";

// Builds validated JWT configuration from plain objects, the way the YAML arrives.
export const ISSUER = "https://login.example.com/";
export const T0 = Date.parse("2026-11-01T00:00:00Z");
export const T0_SECONDS = T0 / 1000;

export function jwtConfig(issuer: Record<string, unknown> = {}, top: Record<string, unknown> = {}): JwtConfig {
  const parsed = parseJwtConfig({ issuers: [{ issuer: ISSUER, audiences: ["modelgate"], ...issuer }], ...top }, "jwt");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

export function issuerConfig(issuer: Record<string, unknown> = {}): IssuerConfig {
  const config = jwtConfig(issuer);
  const first = config.issuers[0];
  if (first === undefined) throw new Error("no issuer");
  return first;
}

// A compact JWS with the given header and claims and a dummy signature: enough for every check
// that runs before the signature layer.
export function unsignedToken(header: Record<string, unknown>, claims: unknown, signature = "c2ln"): string {
  const encode = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
  return `${encode(header)}.${encode(claims)}.${signature}`;
}
