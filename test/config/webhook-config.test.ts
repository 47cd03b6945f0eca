import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseWebhookConfig } from "../../src/config/parse-webhook-config.ts";
import { INJECTOR_CONFIG_DEFAULTS } from "../../src/core/inject/injector-config.ts";

// The keys fixed with the Helm chart (contracts/deploy-contract.md) parse; mistakes are named.

const CONTRACT_EXAMPLE = `
listen: 0.0.0.0:8443
opsListen: 0.0.0.0:9090
tls: { certFile: /etc/modelgate-webhook/tls/tls.crt, keyFile: /etc/modelgate-webhook/tls/tls.key }
namespace: modelgate-system
excludedNamespaces: [kube-system, kube-public, kube-node-lease]
sidecar:
  image: ghcr.io/modelgate/modelgate:0.1.0
  envoyImage: docker.io/envoyproxy/envoy:v1.36.2
  imagePullPolicy: IfNotPresent
  configMap: modelgate-sidecar
  redisPasswordSecret: { name: modelgate-redis, key: password }
  protocol: open-inference-v2
  environment: ""
  envoyPort: 8443
  resources:
    modelgate: { requests: { cpu: 100m, memory: 128Mi }, limits: { memory: 256Mi } }
    envoy: { requests: { cpu: 100m, memory: 64Mi }, limits: { memory: 256Mi } }
`;

describe("parseWebhookConfig", () => {
  it("accepts the contract's example", () => {
    const r = parseWebhookConfig(parse(CONTRACT_EXAMPLE), {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.listen).toBe("0.0.0.0:8443");
    expect(r.value.injector.sidecar.redisPasswordSecret).toEqual({ name: "modelgate-redis", key: "password" });
    expect(r.value.injector.sidecar.envoyPort).toBe(8443);
  });

  it("defaults everything for an empty file", () => {
    const r = parseWebhookConfig(undefined, {});
    expect(r.ok && r.value.injector).toEqual(INJECTOR_CONFIG_DEFAULTS);
  });

  it("takes its own namespace from POD_NAMESPACE", () => {
    const r = parseWebhookConfig(parse("namespace: a"), { POD_NAMESPACE: "b" });
    expect(r.ok && r.value.injector.namespace).toBe("b");
  });

  it.each([
    ["unknown top-level key", "namespaces: [a]", "namespaces", 'did you mean "namespace"?'],
    ["unknown sidecar key", "sidecar: { envoyimage: x }", "sidecar.envoyimage", 'did you mean "envoyImage"?'],
    ["port out of range", "sidecar: { envoyPort: 70000 }", "sidecar.envoyPort", "65535"],
    ["colliding sidecar ports", "sidecar: { envoyPort: 15021 }", "sidecar.envoyPort", "must all differ"],
    ["bad protocol", "sidecar: { protocol: oip }", "sidecar.protocol", "open-inference-v2"],
    ["bad quantity", "sidecar: { resources: { envoy: { limits: { memory: lots } } } }", "sidecar.resources.envoy", "quantity"],
    ["relative TLS file", "tls: { certFile: tls.crt }", "tls.certFile", "absolute"],
    ["listen without port", "listen: 0.0.0.0", "listen", "host:port"],
    ["secret ref without a name", "sidecar: { redisPasswordSecret: { key: pw } }", "sidecar.redisPasswordSecret.name", "required"],
    ["bad TLS mode", "sidecar: { tls: { mode: strict } }", "sidecar.tls.mode", "off, tls, mtls"],
  ])("refuses %s", (_name, yaml, path, message) => {
    const r = parseWebhookConfig(parse(yaml), {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toContainEqual({ path, message: expect.stringContaining(message) });
  });
});

// One file per mistake in fixtures/webhook-invalid: file → [issue path, message substring]. The
// names and addresses are checked by the parse kit's grammars, with its wording.
const INVALID_FIXTURES = join(import.meta.dirname, "fixtures", "webhook-invalid");
const SUBDOMAIN = "is invalid: must be a DNS-1123 subdomain";
const INVALID: Readonly<Record<string, readonly [string, string]>> = {
  "listen-without-port.yaml": ["listen", '"0.0.0.0" is invalid: must be host:port'],
  "listen-without-host.yaml": ["listen", '":8443" is invalid: must be host:port'],
  "ops-listen-port-out-of-range.yaml": ["opsListen", '"0.0.0.0:99999" is invalid: must be host:port'],
  "namespace-with-dot.yaml": ["namespace", '"modelgate.system" is invalid: must be a DNS-1123 label'],
  "excluded-namespace-upper-case.yaml": ["excludedNamespaces[1]", '"Kube-Public" is invalid: must be a DNS-1123 label'],
  "config-map-name-too-long.yaml": ["sidecar.configMap", SUBDOMAIN],
  "secret-name-with-underscore.yaml": ["sidecar.redisPasswordSecret.name", `"redis_password" ${SUBDOMAIN}`],
  "secret-key-with-slash.yaml": ["sidecar.redisPasswordSecret.key", '"auth/password" is invalid: must be a Secret key'],
  "image-with-space.yaml": ["sidecar.image", "is invalid: must be a container image reference"],
  "tls-secret-name-upper-case.yaml": ["sidecar.tls.secretName", `"Sidecar-TLS" ${SUBDOMAIN}`],
  "tls-cert-file-relative.yaml": ["tls.certFile", '"tls/tls.crt" is invalid: must be an absolute path'],
};

describe("parseWebhookConfig: one fixture per mistake", () => {
  it("has a fixture for every case and a case for every fixture", () => {
    expect(readdirSync(INVALID_FIXTURES).sort()).toEqual(Object.keys(INVALID).sort());
  });

  it.each(Object.entries(INVALID))("refuses %s", (file, [path, message]) => {
    const r = parseWebhookConfig(parse(readFileSync(join(INVALID_FIXTURES, file), "utf8")), {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContainEqual({ path, message: expect.stringContaining(message) });
  });
});
