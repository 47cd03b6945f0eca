import { randomBytes, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { startAuthzServer } from "../../src/adapters/grpc/authz-server.ts";
import type { AuthzServer } from "../../src/adapters/grpc/authz-server.ts";
import { LocalLimiter } from "../../src/adapters/limiter/local-limiter.ts";
import { loadCaBundle } from "../../src/adapters/mtls/ca-bundle.ts";
import { decide } from "../../src/core/decide.ts";
import { checkPorts } from "../../src/core/check-ports.ts";
import { mintApiKey } from "../../src/core/identity/api-key-format.ts";
import { recordForKey } from "../../src/core/identity/api-key-record.ts";
import { apiKeySource } from "../../src/core/identity/api-key-source.ts";
import { buildKeyIndex } from "../../src/core/identity/key-store.ts";
import { parseMtlsConfig } from "../../src/config/parse-mtls.ts";
import { mtlsSource } from "../../src/core/identity/mtls/mtls-source.ts";
import type { TrustAnchors } from "../../src/core/identity/mtls/trust-anchors.ts";
import { compilePolicies } from "../../src/core/policy/compile.ts";
import { parsePolicyYaml } from "../../src/core/policy/load-yaml.ts";
import { connectAuthz, headerMap } from "./helpers/authz-client.ts";
import type { AuthzClient, CheckResponse } from "./helpers/authz-client.ts";
import { createTestPki, urlEncodedPem } from "./helpers/test-pki.ts";
import type { TestCert, TestPki } from "./helpers/test-pki.ts";
import { plainDecisionService } from "./helpers/plain-decision-service.ts";

// End to end through the real Authorization server and a real grpc-js client: certificates made
// by openssl, a CA bundle read from a file, the policy compiled from YAML, the in-process limiter.
// One policy admits team data_science whether the team comes from an API key attribute or from a
// certificate's OU (mapped with `attributes: { team: subject_ou }`), and batch workloads by SPIFFE ID.

const POLICY = `
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: fraud-detector, namespace: default }
spec:
  models: ["fraud-detector"]
  rules:
    - name: data-science-predict
      effect: Allow
      subjects: [{ attributes: { team: data_science } }]
      actions: [predict]
    - name: batch-workloads-read
      effect: Allow
      subjects: [{ method: mtls, spiffe: "spiffe://cluster.local/ns/batch/sa/*" }]
      actions: [read]
`;

const SCORER = "spiffe://cluster.local/ns/batch/sa/scorer";
const INFER = "/v2/models/fraud-detector/infer";
const METADATA = "/v2/models/fraud-detector";
const PRINCIPALS: Readonly<Record<string, string>> = {
  scorer: SCORER,
  intruder: SCORER,
  analyst: "spiffe://cluster.local/ns/reports/sa/analyst",
};

interface Gate {
  readonly server: AuthzServer;
  readonly client: AuthzClient;
}

let pki: TestPki;
let certs: Record<"scorer" | "analyst" | "intruder", TestCert>;
let anchors: TrustAnchors;
let apiKey: string;
const gates: Gate[] = [];
const pipelineErrors: unknown[] = [];

beforeAll(async () => {
  pki = createTestPki();
  const root = pki.rootCa("Mesh Root");
  const otherRoot = pki.rootCa("Other Root");
  certs = {
    scorer: pki.issue(root, "scorer", { subject: "/O=acme/OU=data_science/CN=scorer", uris: [SCORER] }),
    analyst: pki.issue(root, "analyst", {
      subject: "/O=acme/OU=analytics/CN=analyst",
      uris: ["spiffe://cluster.local/ns/reports/sa/analyst"],
    }),
    intruder: pki.issue(otherRoot, "intruder", { subject: "/O=acme/OU=data_science/CN=scorer", uris: [SCORER] }),
  };
  const bundleFile = join(pki.dir, "ca-bundle.pem");
  writeFileSync(bundleFile, root.pem);
  const loaded = await loadCaBundle(bundleFile);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  anchors = loaded.value;
  apiKey = mintApiKey((n) => new Uint8Array(randomBytes(n))).key;
});

afterAll(async () => {
  for (const gate of gates) {
    gate.client.close();
    await gate.server.shutdown(1000);
  }
  pki.cleanup();
  expect(pipelineErrors).toEqual([]);
});

async function startGate(xfcc: Record<string, unknown>): Promise<AuthzClient> {
  const config = parseMtlsConfig({ trustDomains: ["cluster.local"], attributes: { team: "subject_ou" }, xfcc }, "identity.mtls");
  if (!config.ok) throw new Error(JSON.stringify(config.error));
  const record = recordForKey(apiKey, { subject: "dana@example.com", attributes: { team: "data_science" } }, Date.now());
  if (!record.ok) throw new Error(JSON.stringify(record.error));
  const { index: keys } = buildKeyIndex([record.value]);
  const parsed = parsePolicyYaml(POLICY, "policy.yaml");
  const compiled = compilePolicies(parsed.policies);
  expect([...parsed.issues, ...compiled.issues]).toEqual([]);
  const ports = checkPorts({
    deployment: { profile: "open-inference-v2", defaultModel: "fraud-detector", environment: "" },
    sources: [mtlsSource({ config: config.value, anchors: () => anchors }), apiKeySource({ keys: () => keys })],
    policies: () => compiled.index,
    limiter: new LocalLimiter({ now: Date.now }),
    sanctions: false,
    now: Date.now,
    newId: randomUUID,
  });
  const server = await startAuthzServer({
    tcp: "127.0.0.1:0",
    uds: undefined,
    maxInFlight: 64,
    maxReceiveBytes: 4 * 1024 * 1024,
    service: plainDecisionService({ decide: (raw) => decide(raw, ports), onError: (error) => void pipelineErrors.push(error) }),
  });
  const client = connectAuthz(`127.0.0.1:${server.tcpPort}`);
  gates.push({ server, client });
  return client;
}

interface Call {
  readonly path?: string;
  readonly method?: string;
  readonly cert?: TestCert;
  readonly headers?: Record<string, string>;
}

// As Envoy fills it with include_peer_certificate: the principal and the URL-encoded PEM leaf.
function checkRequest(call: Call): Record<string, unknown> {
  const request = buildCheckRequest({ method: call.method ?? "POST", path: call.path ?? INFER, headers: call.headers ?? {} });
  if (call.cert !== undefined) {
    const source = (request["attributes"] as { source: Record<string, unknown> }).source;
    source["principal"] = PRINCIPALS[call.cert.name] ?? "";
    source["certificate"] = urlEncodedPem(call.cert.pem);
  }
  return request;
}

function outcome(response: CheckResponse) {
  const denied = response.denied_response;
  return {
    code: response.status?.code,
    reason: denied === undefined ? "allowed" : (JSON.parse(denied.body ?? "{}") as { reason: string }).reason,
    upstream: headerMap(response.ok_response?.headers),
    challenge: headerMap(denied?.headers).get("www-authenticate"),
  };
}

function forgedXfcc(): string {
  return `By=spiffe://cluster.local/ns/ml/sa/envoy;URI=${SCORER};Cert="${urlEncodedPem(certs.scorer.pem)}"`;
}

describe("mTLS through the gRPC Check server (xfcc: ignore)", () => {
  let client: AuthzClient;
  beforeAll(async () => {
    client = await startGate({ mode: "ignore" });
  });

  it("allows predict for a certificate whose OU maps to team data_science", async () => {
    const result = outcome(await client.check(checkRequest({ cert: certs.scorer })));
    expect(result).toMatchObject({ code: 0, reason: "allowed" });
    expect(result.upstream.get("x-modelgate-subject")).toBe(SCORER);
    expect(result.upstream.get("x-modelgate-auth-method")).toBe("mtls");
  });

  it("allows predict by the same rule for an API key of team data_science", async () => {
    const result = outcome(await client.check(checkRequest({ headers: { "x-api-key": apiKey } })));
    expect(result).toMatchObject({ code: 0, reason: "allowed" });
    expect(result.upstream.get("x-modelgate-auth-method")).toBe("apikey");
  });

  it("allows read by a spiffe: matcher on the workload's SPIFFE ID", async () => {
    const result = outcome(await client.check(checkRequest({ cert: certs.scorer, method: "GET", path: METADATA })));
    expect(result).toMatchObject({ code: 0, reason: "allowed" });
  });

  it("denies predict for a verified certificate of another team", async () => {
    expect(outcome(await client.check(checkRequest({ cert: certs.analyst })))).toMatchObject({ code: 7, reason: "policy_no_match" });
  });

  it("rejects a certificate from an untrusted CA with a MutualTLS challenge", async () => {
    const result = outcome(await client.check(checkRequest({ cert: certs.intruder })));
    expect(result).toMatchObject({ code: 16, reason: "mtls_untrusted" });
    expect(result.challenge).toContain('MutualTLS realm="modelgate", error="invalid_token", error_description="mtls_untrusted"');
  });

  it("ignores a forged x-forwarded-client-cert: the caller stays anonymous and gets a 401", async () => {
    const result = outcome(await client.check(checkRequest({ headers: { "x-forwarded-client-cert": forgedXfcc() } })));
    expect(result).toMatchObject({ code: 16, reason: "credential_missing" });
  });

  it("ignores a forged x-forwarded-client-cert next to a real certificate", async () => {
    const headers = { "x-forwarded-client-cert": forgedXfcc() };
    const result = outcome(await client.check(checkRequest({ cert: certs.analyst, headers })));
    expect(result).toMatchObject({ code: 7, reason: "policy_no_match" });
  });
});

describe("mTLS through the gRPC Check server (xfcc: sanitize-set)", () => {
  let client: AuthzClient;
  beforeAll(async () => {
    client = await startGate({ mode: "sanitize-set" });
  });

  it("reads the single element our own Envoy wrote and verifies its certificate", async () => {
    const result = outcome(await client.check(checkRequest({ headers: { "x-forwarded-client-cert": forgedXfcc() } })));
    expect(result).toMatchObject({ code: 0, reason: "allowed" });
    expect(result.upstream.get("x-modelgate-subject")).toBe(SCORER);
  });

  it("answers a malformed header with 401 xfcc_malformed", async () => {
    const result = outcome(
      await client.check(checkRequest({ headers: { "x-forwarded-client-cert": `${forgedXfcc()},URI="unterminated` } })),
    );
    expect(result).toMatchObject({ code: 16, reason: "xfcc_malformed" });
  });

  // The request normalizer caps all headers at 64 KiB (400 header_invalid) before identity runs;
  // the XFCC cap (32 KiB by default) answers anything between with 401 xfcc_malformed.
  it.each([
    [40, 16, "xfcc_malformed"],
    [100, 3, "header_invalid"],
  ])("answers a %i KB header with gRPC %i %s", async (kb, code, reason) => {
    const header = `URI=${SCORER};DNS=${"a".repeat(kb * 1024)}`;
    const result = outcome(await client.check(checkRequest({ headers: { "x-forwarded-client-cert": header } })));
    expect(result).toMatchObject({ code, reason });
  });
});
