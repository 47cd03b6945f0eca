import { describe, expect, it } from "vitest";
import { urlProblem } from "../../../../src/core/identity/jwt/url-policy.ts";

describe("which URLs keys may come from", () => {
  it.each([
    ["https://login.example.com/realms/ml", false, undefined],
    ["http://127.0.0.1:8080/jwks", false, undefined],
    ["http://127.10.0.1/jwks", false, undefined],
    ["http://localhost:5556/dex", false, undefined],
    ["http://[::1]:9000/keys", false, undefined],
    ["http://keycloak.auth.svc/realms/ml", true, undefined],
    ["http://keycloak.auth.svc/realms/ml", false, "must be an https URL"],
    ["http://127.0.0.1.evil.example/jwks", false, "must be an https URL"],
    ["ftp://login.example.com/jwks", true, "must be an https URL"],
    ["file:///etc/passwd", true, "must be an https URL"],
    ["https://user:pw@login.example.com/", false, "must not carry credentials"],
    ["https://login.example.com/#keys", false, "must not have a fragment"],
    ["login.example.com/jwks", false, "must be an absolute URL"],
    ["", false, "must be an absolute URL"],
  ])("%s (allowInsecureHttp %s)", (url, insecure, problem) => {
    const found = urlProblem(url, insecure);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});
