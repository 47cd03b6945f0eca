import { describe, expect, it } from "vitest";
import { validateClaims } from "../../../../src/core/identity/jwt/validate-claims.ts";
import { issuerConfig, T0, T0_SECONDS } from "./helpers.ts";

// The claim matrix (security.md J5, J6, T07): every variant is rejected with its own reason, and
// each boundary is pinned at tolerance T = 30 s, one second either side.
const T = 30;
const ISSUER = issuerConfig({ audiences: ["modelgate", "modelgate-admin"], clockToleranceSeconds: T });
const AGED = issuerConfig({ maxTokenAgeSeconds: 600, clockToleranceSeconds: T });
const base = { aud: "modelgate", exp: T0_SECONDS + 3600 };

function check(claims: Record<string, unknown>, at = T0, issuer = ISSUER) {
  return validateClaims(claims, issuer, at)?.reason ?? "ok";
}

describe("registered claims", () => {
  it.each([
    ["a valid token", base, "ok"],
    ["aud as a list with one accepted entry", { ...base, aud: ["other", "modelgate-admin"] }, "ok"],
    ["a missing aud", { exp: base.exp }, "jwt_audience_invalid"],
    ["another audience", { ...base, aud: "other-service" }, "jwt_audience_invalid"],
    ["an audience differing in case", { ...base, aud: "ModelGate" }, "jwt_audience_invalid"],
    ["an empty aud list", { ...base, aud: [] }, "jwt_audience_invalid"],
    ["aud list with a non-string", { ...base, aud: ["modelgate", 7] }, "jwt_audience_invalid"],
    ["aud as a number", { ...base, aud: 7 }, "jwt_audience_invalid"],
    ["a missing exp", { aud: "modelgate" }, "jwt_claims_invalid"],
    ["exp as a string", { ...base, exp: String(base.exp) }, "jwt_claims_invalid"],
    ["nbf as a string", { ...base, nbf: "0" }, "jwt_claims_invalid"],
    ["an expired token", { ...base, exp: T0_SECONDS - 3600 }, "jwt_expired"],
    ["a token valid only from tomorrow", { ...base, nbf: T0_SECONDS + 86_400 }, "jwt_not_yet_valid"],
  ])("%s → %s", (_name, claims, reason) => {
    expect(check(claims)).toBe(reason);
  });

  it.each([
    ["exp + T − 1 s", T0_SECONDS - T + 1, "ok"],
    ["exp + T (expired: exp is exclusive)", T0_SECONDS - T, "jwt_expired"],
    ["exp + T + 1 s", T0_SECONDS - T - 1, "jwt_expired"],
  ])("exp boundary: now = %s", (_name, exp, reason) => {
    expect(check({ aud: "modelgate", exp })).toBe(reason);
  });

  it.each([
    ["nbf − T − 1 s", T0_SECONDS + T + 1, "jwt_not_yet_valid"],
    ["nbf − T (accepted exactly at the tolerance)", T0_SECONDS + T, "ok"],
    ["nbf − T + 1 s", T0_SECONDS + T - 1, "ok"],
  ])("nbf boundary: now = %s", (_name, nbf, reason) => {
    expect(check({ ...base, nbf })).toBe(reason);
  });

  it("uses no tolerance when configured with 0", () => {
    const strict = issuerConfig({ clockToleranceSeconds: 0 });
    expect(check({ aud: "modelgate", exp: T0_SECONDS + 1 }, T0, strict)).toBe("ok");
    expect(check({ aud: "modelgate", exp: T0_SECONDS }, T0, strict)).toBe("jwt_expired");
    expect(check({ ...base, nbf: T0_SECONDS }, T0, strict)).toBe("ok");
    expect(check({ ...base, nbf: T0_SECONDS + 1 }, T0, strict)).toBe("jwt_not_yet_valid");
  });

  it.each([
    ["iat 600 s + T ago", T0_SECONDS - 600 - T, "ok"],
    ["iat 600 s + T + 1 s ago (stale)", T0_SECONDS - 600 - T - 1, "jwt_expired"],
    ["iat T in the future", T0_SECONDS + T, "ok"],
    ["iat T + 1 s in the future", T0_SECONDS + T + 1, "jwt_claims_invalid"],
  ])("maxTokenAgeSeconds: %s → %s", (_name, iat, reason) => {
    expect(check({ ...base, iat }, T0, AGED)).toBe(reason);
  });

  it("requires iat when maxTokenAgeSeconds is set", () => {
    expect(check(base, T0, AGED)).toBe("jwt_claims_invalid");
  });

  it("requires the configured claims", () => {
    const strict = issuerConfig({ requiredClaims: ["exp", "jti"] });
    expect(check(base, T0, strict)).toBe("jwt_claims_invalid");
    expect(check({ ...base, jti: "x" }, T0, strict)).toBe("ok");
    const lax = issuerConfig({ requiredClaims: [] });
    expect(check({ aud: "modelgate" }, T0, lax)).toBe("ok");
  });
});
