import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { Certificate, Issuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1";
import { PodMonitor, PrometheusRule, ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { loadConfig } from "../../src/config/load-config.ts";
import { REASON_CODES } from "../../src/core/reason.ts";
import { CHART, REPO, run } from "./deploy-tools.ts";
import { kubeconform, THIRD_PARTY_KINDS } from "./kubeconform.ts";
import { find, helmLint, one, render, renderedText, RELEASE_NAMESPACE, type K8sObject } from "./render-chart.ts";
import { VALUES_MATRIX } from "./values-matrix.ts";

// helm lint --strict and helm template with the real helm binary over the values matrix; every
// rendered document validated: core kinds by kubeconform -strict against schemas generated from
// the harness's Kubernetes version, cert-manager and Prometheus Operator kinds by their published
// CRD schemas, the sidecar configuration by modelgate's own config parser.

const THIRD_PARTY: Readonly<Record<string, (o: K8sObject) => void>> = {
  Certificate: (o) => new Certificate(o).validate(),
  Issuer: (o) => new Issuer(o as never).validate(),
  ServiceMonitor: (o) => new ServiceMonitor(o as never).validate(),
  PodMonitor: (o) => new PodMonitor(o as never).validate(),
  PrometheusRule: (o) => new PrometheusRule(o as never).validate(),
};

describe.each(Object.entries(VALUES_MATRIX))("chart with %s", (_name, values) => {
  const text = renderedText(values);
  const objects = render(values);

  it("passes helm lint --strict", () => {
    const lint = helmLint(values);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
  });

  it("renders only documents that kubeconform -strict accepts against the Kubernetes schemas", () => {
    const result = kubeconform(text);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Invalid: 0, Errors: 0/);
  });

  it("renders cert-manager and Prometheus Operator objects their CRD schemas accept", () => {
    expect(Object.keys(THIRD_PARTY).sort()).toEqual([...THIRD_PARTY_KINDS].sort()); // what kubeconform skips is checked here
    for (const o of objects.filter((x) => THIRD_PARTY[x.kind] !== undefined)) {
      expect(() => THIRD_PARTY[o.kind]?.(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
    }
  });

  it("renders a sidecar configuration modelgate itself accepts, per namespace", () => {
    const namespaces = (values as { sidecar?: { namespaces?: string[] } }).sidecar?.namespaces ?? [];
    const configMaps = find(objects, "ConfigMap", "modelgate-sidecar");
    expect(configMaps.map((c) => c.metadata.namespace).sort()).toEqual([...namespaces].sort());
    for (const cm of configMaps) {
      const dir = mkdtempSync(join(tmpdir(), "modelgate-sidecar-cm-"));
      try {
        for (const [key, content] of Object.entries(cm["data"] as Record<string, string>)) writeFileSync(join(dir, key), content);
        const loaded = loadConfig(join(dir, "modelgate.yaml"), {}, dir);
        expect(loaded.ok ? [] : loaded.error, `modelgate-sidecar in ${cm.metadata.namespace}`).toEqual([]);
        if (loaded.ok) {
          expect(loaded.value.namespace).toBe(cm.metadata.namespace);
          expect(loaded.value.policySource).toBe("kubernetes");
          expect(loaded.value.socket).toBe("/var/run/modelgate/authz.sock");
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  // The rules of deploy/rbac/ (the status writer's only with sidecar.statusWriter, the default),
  // bound to every service account of the namespace unless sidecar.serviceAccounts names them.
  it("gives each sidecar namespace the Role of deploy/rbac, its RoleBinding and NetworkPolicy", () => {
    const sidecar = (values as { sidecar?: { statusWriter?: boolean; serviceAccounts?: string[] } }).sidecar ?? {};
    const rbacRules = (file: string) => (parseYaml(readFileSync(join(REPO, "deploy/rbac", file), "utf8")) as { rules: unknown[] }).rules;
    const rules = [...rbacRules("sidecar-role.yaml"), ...(sidecar.statusWriter === false ? [] : rbacRules("status-writer-role.yaml"))];
    for (const cm of find(objects, "ConfigMap", "modelgate-sidecar")) {
      const ns = cm.metadata.namespace ?? "";
      const role = one(objects, "Role", "modelgate-sidecar", ns);
      expect(role["rules"]).toEqual(rules);
      expect(JSON.stringify(role["rules"])).not.toContain("secrets");
      const binding = one(objects, "RoleBinding", "modelgate-sidecar", ns);
      expect(binding["subjects"]).toEqual(
        sidecar.serviceAccounts === undefined
          ? [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: `system:serviceaccounts:${ns}` }]
          : sidecar.serviceAccounts.map((name) => ({ kind: "ServiceAccount", name, namespace: ns })),
      );
      const policy = one<{ spec: { podSelector: unknown; ingress: { ports: { port: number }[] }[] } }>(
        objects,
        "NetworkPolicy",
        "modelgate-sidecar",
        ns,
      );
      expect(policy.spec.podSelector).toEqual({ matchLabels: { "modelgate.io/injected": "true" } });
      expect(policy.spec.ingress.flatMap((i) => i.ports.map((p) => p.port))).not.toContain(8080);
      expect(policy.spec.ingress[0]?.ports).toEqual([{ port: 8443, protocol: "TCP" }]);
    }
  });

  it("renders the MutatingWebhookConfiguration of the deploy contract", () => {
    const mwc = one<{ webhooks: Record<string, unknown>[] }>(objects, "MutatingWebhookConfiguration", "modelgate-injector");
    expect(mwc.webhooks).toHaveLength(1);
    const hook = mwc.webhooks[0] as Record<string, unknown> & {
      clientConfig: Record<string, unknown>;
      namespaceSelector: { matchExpressions: unknown[] };
    };
    expect(hook).toMatchObject({
      name: "inject.modelgate.io",
      sideEffects: "None",
      admissionReviewVersions: ["v1"],
      reinvocationPolicy: "IfNeeded",
      failurePolicy: "Fail",
      timeoutSeconds: 10,
      rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], scope: "Namespaced" }],
    });
    expect(hook.namespaceSelector.matchExpressions).toEqual([
      { key: "modelgate.io/injection", operator: "In", values: ["enabled"] },
      {
        key: "kubernetes.io/metadata.name",
        operator: "NotIn",
        values: [RELEASE_NAMESPACE, "kube-system", "kube-public", "kube-node-lease"],
      },
    ]);
    const url = (values as { webhook?: { url?: string } }).webhook?.url;
    if (url !== undefined) expect(hook.clientConfig["url"]).toBe(url);
    else
      expect(hook.clientConfig["service"]).toEqual({ name: "modelgate-webhook", namespace: RELEASE_NAMESPACE, path: "/inject", port: 443 });
  });

  it("runs the webhook as the contract says: command, config, ports, TLS Secret mounted where the config points", () => {
    const deployment = one<{
      spec: {
        replicas: number;
        template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[]; volumes: Record<string, unknown>[] } };
      };
    }>(objects, "Deployment", "modelgate-webhook");
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0] as Record<string, unknown>;
    expect(container["image"]).toBe("ghcr.io/modelgate/modelgate:0.1.0");
    expect(container["args"]).toEqual(["webhook", "--config", "/etc/modelgate-webhook/webhook.yaml"]);
    expect(container["ports"]).toEqual([
      { name: "https", containerPort: 8443, protocol: "TCP" },
      { name: "ops", containerPort: 9090, protocol: "TCP" },
    ]);
    expect(container["securityContext"]).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod["securityContext"]).toMatchObject({ runAsNonRoot: true });
    expect(pod["affinity"]).toHaveProperty("podAntiAffinity");
    expect(one(objects, "PodDisruptionBudget", "modelgate-webhook")["spec"]).toMatchObject({ minAvailable: 1 });
    const config = parseYaml(
      (one(objects, "ConfigMap", "modelgate-webhook")["data"] as Record<string, string>)["webhook.yaml"] ?? "",
    ) as Record<string, unknown> & { sidecar: Record<string, unknown>; tls: Record<string, string> };
    expect(config).toMatchObject({ listen: "0.0.0.0:8443", opsListen: "0.0.0.0:9090", namespace: RELEASE_NAMESPACE });
    expect(config.tls).toEqual({ certFile: "/etc/modelgate-webhook/tls/tls.crt", keyFile: "/etc/modelgate-webhook/tls/tls.key" });
    expect(config.sidecar).toMatchObject({
      image: "ghcr.io/modelgate/modelgate:0.1.0",
      envoyImage: "docker.io/envoyproxy/envoy:v1.36.2",
      configMap: "modelgate-sidecar",
      envoyPort: 8443,
    });
    const tlsVolume = pod.volumes.find((v) => v["name"] === "tls") as { secret: { secretName: string } };
    const tlsSecrets = objects.filter(
      (o) =>
        (o.kind === "Secret" && o.metadata.name === tlsVolume.secret.secretName) ||
        (o.kind === "Certificate" && (o["spec"] as { secretName: string }).secretName === tlsVolume.secret.secretName),
    );
    expect(tlsSecrets).toHaveLength(1);
  });
});

describe("chart details", () => {
  it("keeps charts/modelgate/crds identical to deploy/crds, file for file", () => {
    const deploy = readdirSync(join(REPO, "deploy/crds")).sort();
    expect(readdirSync(join(CHART, "crds")).sort()).toEqual(deploy);
    for (const file of deploy) {
      expect(readFileSync(join(CHART, "crds", file), "utf8"), file).toBe(readFileSync(join(REPO, "deploy/crds", file), "utf8"));
    }
  });

  it("alerts only on metrics and reasons modelgate really exports", () => {
    const rule = one<{ spec: { groups: { rules: { alert: string; expr: string }[] }[] } }>(
      render(VALUES_MATRIX["monitoring on"]),
      "PrometheusRule",
    );
    const exported = new Set<string>();
    const sources = run("grep", ["-rhoE", String.raw`name: "modelgate_[a-z_]+"`, join(REPO, "src")]).stdout;
    for (const match of sources.matchAll(/"(modelgate_[a-z_]+)"/g)) exported.add(match[1] ?? "");
    const exprs = spec(rule).map((r) => r.expr);
    const used = exprs.flatMap((e) => [...e.matchAll(/\b(modelgate_[a-z_]+)/g)].map((m) => m[1] ?? ""));
    expect(used.length).toBeGreaterThan(4);
    for (const name of used) expect(exported, `metric ${name}`).toContain(name);
    const reasons = exprs.flatMap((e) => [...e.matchAll(/reason=~"([^"]+)"/g)].flatMap((m) => (m[1] ?? "").split("|")));
    for (const reason of reasons) expect(REASON_CODES).toContain(reason);
    expect(spec(rule).map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        "ModelgateDecisionsFailingClosed",
        "ModelgateLimiterOnFallback",
        "ModelgateAuditUnavailable",
        "ModelgatePoliciesRejected",
        "ModelgateWebhookCallsFailing",
      ]),
    );
  });

  it("gives the sidecars the Redis password from a Secret, never in the ConfigMap", () => {
    const objects = render(VALUES_MATRIX["external Redis with a password Secret"]);
    const webhook = parseYaml((one(objects, "ConfigMap", "modelgate-webhook")["data"] as Record<string, string>)["webhook.yaml"] ?? "") as {
      sidecar: Record<string, unknown>;
    };
    expect(webhook.sidecar["redisPasswordSecret"]).toEqual({ name: "redis-auth", key: "redis-password" });
    const sidecar = (one(objects, "ConfigMap", "modelgate-sidecar", "ml")["data"] as Record<string, string>)["modelgate.yaml"] ?? "";
    expect(parseYaml(sidecar)).toMatchObject({
      limiter: { redis: { url: "redis://redis.data.svc:6379/0" } },
      audit: { sink: "redis", redis: { url: "redis://redis.data.svc:6379/0" } },
    });
  });

  it("copies the trial Redis password Secret into every sidecar namespace, one password for all", () => {
    const objects = render(VALUES_MATRIX["trial Redis"]);
    const secrets = find(objects, "Secret", "modelgate-redis");
    expect(secrets.map((s) => s.metadata.namespace).sort()).toEqual(["demo", "demo-2", RELEASE_NAMESPACE]);
    expect(new Set(secrets.map((s) => (s["data"] as { password: string }).password)).size).toBe(1);
    expect(one(objects, "Deployment", "modelgate-redis").metadata.annotations?.["modelgate.io/not-for-production"]).toBeDefined();
  });

  it("lets cert-manager inject the CA bundle instead of rendering one", () => {
    const objects = render(VALUES_MATRIX["cert-manager"]);
    const mwc = one<K8sObject & { webhooks: { clientConfig: Record<string, unknown> }[] }>(objects, "MutatingWebhookConfiguration");
    expect(mwc.metadata.annotations?.["cert-manager.io/inject-ca-from"]).toBe(`${RELEASE_NAMESPACE}/modelgate-webhook`);
    expect(mwc.webhooks[0]?.clientConfig["caBundle"]).toBeUndefined();
    expect(find(objects, "Secret")).toEqual([]);
  });

  it("puts the webhook.url host in the self-managed certificate", () => {
    const secret = one<{ data: Record<string, string> }>(
      render(VALUES_MATRIX["webhook outside the cluster (url)"]),
      "Secret",
      "modelgate-webhook-tls",
    );
    const pem = Buffer.from(secret.data["tls.crt"] ?? "", "base64").toString();
    const dir = mkdtempSync(join(tmpdir(), "modelgate-cert-"));
    try {
      writeFileSync(join(dir, "tls.crt"), pem);
      const text = run("openssl", ["x509", "-in", join(dir, "tls.crt"), "-noout", "-ext", "subjectAltName"]).stdout;
      expect(text).toContain("IP Address:127.0.0.1");
      expect(text).toContain("DNS:modelgate-webhook.modelgate-system.svc");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function spec(rule: { spec: { groups: { rules: { alert: string; expr: string }[] }[] } }): { alert: string; expr: string }[] {
  return rule.spec.groups.flatMap((g) => g.rules);
}
