import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_ALGORITHMS } from "../../../../src/core/identity/jwt/jwt-config.ts";
import { parseJwtConfig } from "../../../../src/config/parse-jwt-config.ts";

// One fixture per mistake; its first line says which path and message the parser must report.
const dir = join(import.meta.dirname, "fixtures");
const invalid = readdirSync(join(dir, "invalid")).filter((f) => f.endsWith(".yaml"));

function load(file: string): { doc: unknown; expect: string } {
  const text = readFileSync(file, "utf8");
  const expectLine = /^# expect: (.+)$/m.exec(text)?.[1] ?? "";
  return { doc: parse(text) as unknown, expect: expectLine };
}

describe("identity.jwt configuration", () => {
  it("has a fixture for each mistake", () => {
    expect(invalid.length).toBeGreaterThanOrEqual(25);
  });

  it.each(invalid)("rejects %s with its path", (file) => {
    const { doc, expect: expected } = load(join(dir, "invalid", file));
    expect(expected, "fixture names its expected issue").not.toBe("");
    const parsed = parseJwtConfig(doc, "jwt");
    expect(parsed.ok).toBe(false);
    const reported = parsed.ok ? [] : parsed.error.map((i) => `${i.path}: ${i.message}`);
    expect(
      reported.some((line) => line.startsWith(expected)),
      reported.join("\n"),
    ).toBe(true);
  });

  it("reads every field", () => {
    const parsed = parseJwtConfig(load(join(dir, "valid", "every-field.yaml")).doc, "jwt");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    const config = parsed.value;
    expect(config.limits).toEqual({ maxTokenBytes: 16384, maxAudiences: 8, maxClaimsDepth: 10 });
    expect(config.cache).toEqual({ maxEntries: 5000, maxSeconds: 120 });
    const [first, insecure, byUri, byFile] = config.issuers;
    expect(first?.keySource).toEqual({ kind: "discovery" });
    expect(first?.algorithms).toEqual(["RS256", "ES256", "EdDSA"]);
    expect(first?.typ).toBe("at+jwt");
    expect(first?.claims.subject.text).toBe("preferred_username");
    expect(first?.claims.groups.map((g) => g.text)).toEqual(["groups", "realm_access.roles"]);
    expect([...(first?.claims.attributes.keys() ?? [])]).toEqual(["org", "team", "tier"]);
    expect(first?.keys).toEqual({ refreshSeconds: 600, cooldownSeconds: 15, timeoutSeconds: 2.5, maxStaleSeconds: 43200 });
    expect(insecure?.allowInsecureHttp).toBe(true);
    expect(byUri?.keySource).toEqual({ kind: "jwksUri", uri: "https://www.example.com/oauth2/v3/certs" });
    expect(byFile?.keySource).toEqual({ kind: "jwksFile", path: "dev-jwks.json" });
  });

  it("fills the defaults", () => {
    const parsed = parseJwtConfig({ issuers: [{ issuer: "https://login.example.com/", audiences: ["modelgate"] }] }, "identity.jwt");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    const issuer = parsed.value.issuers[0];
    expect(parsed.value.limits).toEqual({ maxTokenBytes: 8192, maxAudiences: 32, maxClaimsDepth: 16 });
    expect(parsed.value.cache).toEqual({ maxEntries: 10_000, maxSeconds: 300 });
    expect(issuer?.algorithms).toEqual(DEFAULT_ALGORITHMS);
    expect(issuer?.algorithms).not.toContain("ES512");
    expect(issuer?.clockToleranceSeconds).toBe(30);
    expect(issuer?.requiredClaims).toEqual(["exp"]);
    expect(issuer?.claims.subject.text).toBe("sub");
    expect(issuer?.claims.groups.map((g) => g.text)).toEqual(["groups"]);
    expect(issuer?.keys).toEqual({ refreshSeconds: 300, cooldownSeconds: 30, timeoutSeconds: 5, maxStaleSeconds: 86_400 });
    expect(issuer?.allowInsecureHttp).toBe(false);
  });

  it("reports every problem in one pass, each with its path", () => {
    const parsed = parseJwtConfig(
      {
        issuers: [
          { issuer: "http://insecure.example.com/", audiences: [], algorithms: ["HS256"] },
          { issuer: "x", audiences: ["a"], keys: { refreshSeconds: -1 }, extra: true },
        ],
        maxAudiences: 0,
      },
      "identity.jwt",
    );
    expect(parsed.ok).toBe(false);
    const paths = parsed.ok ? [] : parsed.error.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "identity.jwt.issuers[0].issuer",
        "identity.jwt.issuers[0].audiences",
        "identity.jwt.issuers[0].algorithms[0]",
        "identity.jwt.issuers[1].issuer",
        "identity.jwt.issuers[1].extra",
        "identity.jwt.issuers[1].keys.refreshSeconds",
        "identity.jwt.maxAudiences",
      ]),
    );
  });

  it("accepts plain http for loopback issuers (a local IdP, the tests)", () => {
    for (const issuer of ["http://127.0.0.1:8080", "http://localhost:5556/dex", "http://[::1]:9000/"]) {
      expect(parseJwtConfig({ issuers: [{ issuer, audiences: ["m"] }] }, "jwt").ok, issuer).toBe(true);
    }
  });
});
