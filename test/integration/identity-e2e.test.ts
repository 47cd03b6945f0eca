import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { connectAuthz, headerMap, type AuthzClient } from "./helpers/authz-client.ts";
import { startFixtureServer, type FixtureServer } from "./helpers/fixture-server.ts";
import { startOidcServer, type OidcServer, type TestKey } from "./helpers/oidc-server.ts";
import { createTestPki, type TestCert, type TestPki } from "./helpers/test-pki.ts";
import { TEAM_POLICY } from "./fixtures.ts";

// One policy line — `attributes: { team: data_science }` — allows the same team whether the
// caller shows a JWT, an API key or a client certificate, through the real server configured
// from YAML exactly as a user would configure it.

const POLICY = TEAM_POLICY;

let oidc: OidcServer;
let signingKey: TestKey;
let pki: TestPki;
let scientistCert: TestCert;
let salesCert: TestCert;
let fixture: FixtureServer;
let client: AuthzClient;

beforeAll(async () => {
  oidc = await startOidcServer();
  signingKey = await oidc.addKey("ES256");
  pki = createTestPki();
  const ca = pki.rootCa("team-ca");
  scientistCert = pki.issue(ca, "scorer", {
    subject: "/O=acme/OU=data_science/CN=scorer",
    uris: ["spiffe://cluster.local/ns/batch/sa/scorer"],
  });
  salesCert = pki.issue(ca, "seller", { subject: "/O=acme/OU=sales/CN=seller", uris: ["spiffe://cluster.local/ns/sales/sa/seller"] });
  fixture = await startFixtureServer({
    policyYaml: POLICY,
    keys: { scientist: { subject: "dana@example.com", attributes: { team: "data_science" } } },
    config: {
      identity: {
        sources: ["mtls", "jwt", "apikey"],
        mtls: { caFile: ca.certFile, trustDomains: ["cluster.local"], attributes: { team: "subject_ou" } },
        jwt: { issuers: [{ issuer: oidc.issuer, audiences: ["modelgate"], claims: { attributes: { team: "team" } } }] },
      },
    },
  });
  const jwt = fixture.server.engine.jwt;
  for (let i = 0; i < 100 && jwt?.status().some((s) => s.state !== "ok"); i++) await new Promise((r) => setTimeout(r, 50));
  client = connectAuthz(fixture.tcpTarget);
});

afterAll(async () => {
  client?.close();
  await fixture?.stop();
  await oidc?.close();
  pki?.cleanup();
});

const infer = (extra: Parameters<typeof buildCheckRequest>[0] extends infer S ? Partial<S> : never) =>
  buildCheckRequest({ method: "POST", path: "/v2/models/fraud-detector/infer", ...extra });

async function token(team: string, audience = "modelgate"): Promise<string> {
  return oidc.sign(oidc.claims(Date.now(), { sub: `${team}-user`, team, aud: audience }), signingKey);
}

describe("one policy, three ways to show the same team", () => {
  it("allows the team by JWT and names the method upstream", async () => {
    const r = await client.check(infer({ headers: { authorization: `Bearer ${await token("data_science")}` } }));
    expect(r.status?.code).toBe(0);
    expect(headerMap(r.ok_response?.headers).get("x-modelgate-auth-method")).toBe("jwt");
    expect(r.ok_response?.headers_to_remove).toContain("authorization");
  });

  it("allows the team by API key", async () => {
    const r = await client.check(infer({ headers: { "x-api-key": fixture.keys["scientist"] as string } }));
    expect(r.status?.code).toBe(0);
    expect(headerMap(r.ok_response?.headers).get("x-modelgate-auth-method")).toBe("apikey");
  });

  // Issue 11 item 5: the credentials the decision did not use must not reach the model server.
  it.each<[string, () => Promise<Parameters<typeof infer>[0]>]>([
    [
      "an mTLS peer carrying someone else's API key and bearer token",
      async () => ({
        certificate: scientistCert.pem,
        headers: { "x-api-key": fixture.keys["scientist"] as string, authorization: `Bearer ${await token("sales")}` },
      }),
    ],
    [
      "a JWT caller carrying an API key too",
      async () => ({
        headers: { authorization: `Bearer ${await token("data_science")}`, "x-api-key": fixture.keys["scientist"] as string },
      }),
    ],
  ])("removes every credential header of every configured source on allow: %s", async (_name, spec) => {
    const r = await client.check(infer(await spec()));
    expect(r.status?.code).toBe(0);
    expect([...(r.ok_response?.headers_to_remove ?? [])].sort()).toEqual(["authorization", "x-api-key"]);
  });

  it("allows the team by client certificate (OU mapped to team)", async () => {
    const r = await client.check(infer({ certificate: scientistCert.pem }));
    expect(r.status?.code).toBe(0);
    const headers = headerMap(r.ok_response?.headers);
    expect(headers.get("x-modelgate-auth-method")).toBe("mtls");
    expect(headers.get("x-modelgate-subject")).toBe("spiffe://cluster.local/ns/batch/sa/scorer");
  });

  it("denies another team by each method with 403", async () => {
    for (const extra of [{ headers: { authorization: `Bearer ${await token("sales")}` } }, { certificate: salesCert.pem }]) {
      expect((await client.check(infer(extra))).status?.code).toBe(7);
    }
  });

  it("answers an invalid JWT with 401 and a Bearer challenge, never falling back to the API key", async () => {
    const r = await client.check(
      infer({
        headers: {
          authorization: `Bearer ${await token("data_science", "someone-else")}`,
          "x-api-key": fixture.keys["scientist"] as string,
        },
      }),
    );
    expect(r.status?.code).toBe(16);
    const challenge = headerMap(r.denied_response?.headers).get("www-authenticate") ?? "";
    expect(challenge).toMatch(/^Bearer realm="modelgate", error="invalid_token", error_description="jwt_audience_invalid"/);
  });

  it("ignores a forged x-forwarded-client-cert from an untrusted hop", async () => {
    const forged = `Hash=00;URI=spiffe://cluster.local/ns/batch/sa/scorer;Subject="OU=data_science,O=acme,CN=scorer"`;
    const r = await client.check(infer({ headers: { "x-forwarded-client-cert": forged } }));
    expect(r.status?.code).toBe(16);
    expect(JSON.parse(r.denied_response?.body ?? "{}").reason).toBe("credential_missing");
  });
});
