// The values combinations every chart test renders: what users install with. TEST_CA is a
// throw-away self-signed certificate (public part only) standing for a client CA bundle.

const TEST_CA = `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUMQXhJeoq+I66xXl5MVjEi+x2JjYwCgYIKoZIzj0EAwIw
IjEgMB4GA1UEAwwXbW9kZWxnYXRlIGNoYXJ0IHRlc3QgQ0EwIBcNMjYxMjA2MTA0
MjIyWhgPMjEyNjExMTIxMDQyMjJaMCIxIDAeBgNVBAMMF21vZGVsZ2F0ZSBjaGFy
dCB0ZXN0IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeI4vlyuXzXPrrh8p
NLhqpEdoghTkNWZsuR2mpLz559kzcKTBuNOa+ofbWYu+je6QWX2uuwdCZp29L0p4
tTJfZaNTMFEwHQYDVR0OBBYEFOL3X9ul9X0gwdaXHQq2vWNNHHc/MB8GA1UdIwQY
MBaAFOL3X9ul9X0gwdaXHQq2vWNNHHc/MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZI
zj0EAwIDSAAwRQIgbOINtYm4vabw9StjPT2cgiBaRdaZzdEhtkV9xgA7iS8CIQCd
vHURNpAfFcDph49NSMasuI67SFhFvyGbS/vf0I8uhQ==
-----END CERTIFICATE-----`;

export const VALUES_MATRIX: Readonly<Record<string, unknown>> = {
  defaults: {},
  "cert-manager": { webhook: { certManager: { enabled: true } }, sidecar: { namespaces: ["ml"] } },
  "cert-manager with an existing ClusterIssuer": {
    webhook: { certManager: { enabled: true, issuerRef: { name: "corp-ca", kind: "ClusterIssuer" } } },
  },
  "several namespaces": { sidecar: { namespaces: ["ml-a", "ml-b", "ml-c"] } },
  "external Redis with a password Secret": {
    sidecar: {
      namespaces: ["ml"],
      redis: { url: "redis://redis.data.svc:6379/0", passwordSecret: { name: "redis-auth", key: "redis-password" } },
      audit: { sink: "redis" },
    },
  },
  "trial Redis": { trialRedis: { enabled: true }, sidecar: { namespaces: ["demo", "demo-2"] } },
  "monitoring on": {
    monitoring: { serviceMonitor: { enabled: true, labels: { release: "prom" } }, prometheusRule: { enabled: true } },
    sidecar: { namespaces: ["ml"] },
  },
  "JWT, mTLS and API keys": {
    sidecar: {
      namespaces: ["ml"],
      identitySources: ["jwt", "mtls", "apikey"],
      jwtIssuers: [{ issuer: "https://login.example.com/realms/ml", audiences: ["modelgate"] }],
      mtls: { trustBundle: TEST_CA, trustDomains: ["cluster.local"], attributes: { team: "subject_ou" } },
    },
    networkPolicy: { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gateway" } } }] },
  },
  "webhook outside the cluster (url)": { webhook: { url: "https://127.0.0.1:9443/inject" }, sidecar: { namespaces: ["ml"] } },
  "no status writer, RBAC bound to the model pods' service accounts": {
    sidecar: { namespaces: ["ml", "ml-2"], statusWriter: false, serviceAccounts: ["triton", "vllm"] },
  },
};
