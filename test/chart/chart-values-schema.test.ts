import { describe, expect, it } from "vitest";
import { helmTemplate } from "./render-chart.ts";

// values.schema.json: a wrong value in each important place fails `helm template` (and so
// `helm install`) with the path of the mistake — before anything reaches the cluster.

const WRONG: readonly (readonly [string, unknown, RegExp])[] = [
  ["a misspelled top-level key", { trialRedis: { enabled: true }, tiralRedis: {} }, /tiralRedis/],
  ["replicas as a string", { webhook: { replicas: "2" } }, /webhook\.replicas|\/webhook\/replicas/],
  ["replicas zero", { webhook: { replicas: 0 } }, /webhook.*replicas/],
  ["an unknown failure policy", { webhook: { failurePolicy: "Allow" } }, /webhook.*failurePolicy/],
  ["a webhook timeout past 30 s", { webhook: { timeoutSeconds: 60 } }, /webhook.*timeoutSeconds/],
  ["an http webhook url", { webhook: { url: "http://127.0.0.1:9443/inject" } }, /webhook.*url/],
  ["an unknown protocol profile", { webhook: { protocol: "triton" } }, /webhook.*protocol/],
  ["a misspelled certManager key", { webhook: { certManager: { enable: true } } }, /certManager.*enable/],
  [
    "an issuer kind that is not one",
    { webhook: { certManager: { enabled: true, issuerRef: { name: "x", kind: "Secret" } } } },
    /issuerRef.*kind/,
  ],
  ["a namespace name with capitals", { sidecar: { namespaces: ["ML"] } }, /sidecar.*namespaces/],
  ["a namespace listed twice", { sidecar: { namespaces: ["ml", "ml"] } }, /sidecar.*namespaces/],
  ["a service account name with an underscore", { sidecar: { serviceAccounts: ["model_sa"] } }, /sidecar.*serviceAccounts/],
  ["service accounts as one string", { sidecar: { serviceAccounts: "triton" } }, /sidecar.*serviceAccounts/],
  ["an unknown identity source", { sidecar: { identitySources: ["oauth"] } }, /sidecar.*identitySources/],
  ["a JWT issuer without audiences", { sidecar: { jwtIssuers: [{ issuer: "https://idp.example.com" }] } }, /sidecar.*jwtIssuers/],
  ["a Redis URL of another scheme", { sidecar: { redis: { url: "http://redis:6379" } } }, /sidecar.*redis.*url/],
  ["a local share above 1", { sidecar: { redis: { localShare: 2 } } }, /sidecar.*redis.*localShare/],
  ["a deadline without a unit", { sidecar: { redis: { deadline: "10" } } }, /sidecar.*redis.*deadline/],
  ["the file audit sink (no volume in the injected pod)", { sidecar: { audit: { sink: "file" } } }, /sidecar.*audit.*sink/],
  ["an unknown audit fail mode", { sidecar: { audit: { failMode: "ignore" } } }, /sidecar.*audit.*failMode/],
  ["a trust bundle that is not PEM", { sidecar: { mtls: { trustBundle: "not a certificate" } } }, /sidecar.*mtls.*trustBundle/],
  ["an Envoy port out of range", { envoy: { port: 70000 } }, /envoy.*port/],
  ["an image with a space", { image: { repository: "ghcr.io/modelgate/ modelgate" } }, /image.*repository/],
  ["an unknown pull policy", { image: { pullPolicy: "Sometimes" } }, /image.*pullPolicy/],
  ["a NetworkPolicy peer that is not one", { networkPolicy: { from: [{ pods: {} }] } }, /networkPolicy.*from/],
  ["monitoring enabled as a string", { monitoring: { prometheusRule: { enabled: "yes" } } }, /prometheusRule.*enabled/],
];

describe("values.schema.json refuses", () => {
  it.each(WRONG)("%s", (_name, values, path) => {
    const result = helmTemplate(values);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/values don't meet the specifications of the schema|schema/i);
    expect(result.stderr).toMatch(path);
  });

  it("refuses what the schema cannot see, with the value's path: jwt without issuers, a redis audit sink without Redis", () => {
    const jwt = helmTemplate({ sidecar: { namespaces: ["ml"], identitySources: ["jwt"] } });
    expect(jwt.code).not.toBe(0);
    expect(jwt.stderr).toContain("sidecar.jwtIssuers");
    const audit = helmTemplate({ sidecar: { namespaces: ["ml"], audit: { sink: "redis" } } });
    expect(audit.code).not.toBe(0);
    expect(audit.stderr).toContain("sidecar.audit.sink");
  });
});
