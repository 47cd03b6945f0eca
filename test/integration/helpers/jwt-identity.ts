import type { JWTPayload } from "jose";
import { createJwtIdentity, type JwtIdentity } from "../../../src/wiring/create-jwt-identity.ts";
import { parseJwtConfig } from "../../../src/config/parse-jwt-config.ts";
import type { SourceOutcome } from "../../../src/core/identity/identity.ts";
import { requestWith } from "../../core/identity/helpers.ts";
import type { OidcServer } from "./oidc-server.ts";

// The JWT identity source as the server wires it, pointed at a test OpenID provider, with the
// clock the test controls. Shared by the JWT integration tests.

export async function startJwtIdentity(idp: OidcServer, now: () => number, issuer: Record<string, unknown> = {}): Promise<JwtIdentity> {
  const parsed = parseJwtConfig(
    {
      issuers: [
        {
          issuer: idp.issuer,
          audiences: ["modelgate"],
          clockToleranceSeconds: 30,
          claims: { groups: "realm_access.roles", attributes: { team: "ext.team", org: '["https://example.com/org"]' } },
          keys: { cooldownSeconds: 30, timeoutSeconds: 0.5, refreshSeconds: 3600 },
          ...issuer,
        },
      ],
    },
    "identity.jwt",
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  const jwt = createJwtIdentity(parsed.value, { baseDir: "/", now, retryMinMs: 60_000 });
  await jwt.start();
  return jwt;
}

export async function identifyBearer(jwt: JwtIdentity | undefined, token: string, now: number): Promise<SourceOutcome> {
  if (jwt === undefined) throw new Error("not started");
  return jwt.source.identify(requestWith({ authorization: `Bearer ${token}` }), now);
}

export function outcomeReason(outcome: SourceOutcome): string {
  return outcome.kind === "rejected" ? outcome.reason : outcome.kind;
}

export function teamClaims(idp: OidcServer, at: number, overrides: JWTPayload = {}): JWTPayload {
  return idp.claims(at, {
    ext: { team: "data_science" },
    "https://example.com/org": "acme",
    realm_access: { roles: ["ml-users"] },
    ...overrides,
  });
}
