import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { startKubeHarness, type KubeHarness } from "../harness/kube-harness.ts";
import { CHART, deployTool, runOk } from "./deploy-tools.ts";
import { RELEASE_NAMESPACE, withValuesFile } from "./render-chart.ts";

// `helm install` into the real kube-apiserver + etcd the other cluster tests use: the CRDs are
// established, the webhook configuration carries the CA bundle of the Secret the webhook
// mounts, the sidecar RBAC grants what the sidecar needs and not Secrets; `helm upgrade` with
// the same values keeps the webhook's CA and certificate (and the trial Redis password).
// The harness has no Service network (and no controllers), so the webhook is called by URL.

const SIDECAR_NS = "ml";
const VALUES = {
  webhook: { url: "https://127.0.0.1:9443/inject" },
  sidecar: { namespaces: [SIDECAR_NS] },
  trialRedis: { enabled: true },
};

let harness: KubeHarness;
let installOutput = "";

function helm(...args: string[]): string {
  return runOk(deployTool("helm"), [...args, "--kubeconfig", harness.kubeconfigFile]);
}

async function get<T>(path: string): Promise<T> {
  const response = await harness.request("GET", path);
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as T;
}

type Secret = { data: Record<string, string> };
type Mwc = { webhooks: { clientConfig: { caBundle?: string; url?: string } }[] };

async function webhookState(): Promise<{ tls: Record<string, string>; caBundle: string | undefined; redisPassword: string | undefined }> {
  const tls = await get<Secret>(`/api/v1/namespaces/${RELEASE_NAMESPACE}/secrets/modelgate-webhook-tls`);
  const mwc = await get<Mwc>("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/modelgate-injector");
  const redis = await get<Secret>(`/api/v1/namespaces/${SIDECAR_NS}/secrets/modelgate-redis`);
  return { tls: tls.data, caBundle: mwc.webhooks[0]?.clientConfig.caBundle, redisPassword: redis.data["password"] };
}

async function allowed(
  user: string,
  groups: string[],
  namespace: string,
  resource: string,
  verb: string,
  group = "modelgate.io",
  name?: string,
): Promise<boolean> {
  const [plural, subresource] = resource.split("/");
  const attributes = {
    namespace,
    verb,
    group,
    resource: plural,
    ...(subresource === undefined ? {} : { subresource }),
    ...(name === undefined ? {} : { name }),
  };
  const review = await harness.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: { user, groups, resourceAttributes: attributes },
  });
  return (review.body as { status?: { allowed?: boolean } }).status?.allowed === true;
}

beforeAll(async () => {
  harness = await startKubeHarness();
  for (const ns of [RELEASE_NAMESPACE, SIDECAR_NS]) {
    const created = await harness.request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    expect(created.status).toBe(201);
  }
  installOutput = withValuesFile(VALUES, (file) => helm("install", "modelgate", CHART, "--namespace", RELEASE_NAMESPACE, "-f", file));
}, 180_000);
afterAll(async () => harness?.stop());

describe("helm install into a real kube-apiserver", () => {
  it("installs every CRD of charts/modelgate/crds, established", async () => {
    for (const file of readdirSync(join(CHART, "crds"))) {
      const name = file.replace(/\.yaml$/, "");
      let conditions: { type: string; status: string }[] = [];
      for (let i = 0; i < 100; i++) {
        conditions =
          (
            await get<{ status?: { conditions?: { type: string; status: string }[] } }>(
              `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
            )
          ).status?.conditions ?? [];
        if (conditions.some((c) => c.type === "Established" && c.status === "True")) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(conditions, name).toContainEqual(expect.objectContaining({ type: "Established", status: "True" }));
    }
  });

  it("registers the webhook with the CA that signed the certificate the webhook mounts", async () => {
    const state = await webhookState();
    expect(state.caBundle).toBeDefined();
    expect(state.caBundle).toBe(state.tls["ca.crt"]);
    const mwc = await get<Mwc>("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/modelgate-injector");
    expect(mwc.webhooks[0]?.clientConfig.url).toBe(VALUES.webhook.url);
    const deployment = await get<{ spec: { replicas: number } }>(
      `/apis/apps/v1/namespaces/${RELEASE_NAMESPACE}/deployments/modelgate-webhook`,
    );
    expect(deployment.spec.replicas).toBe(2);
  });

  it("lets every service account of a sidecar namespace read policies and keys there, and nothing of Secrets", async () => {
    const user = `system:serviceaccount:${SIDECAR_NS}:default`;
    const groups = ["system:serviceaccounts", `system:serviceaccounts:${SIDECAR_NS}`, "system:authenticated"];
    for (const verb of ["get", "list", "watch"]) {
      expect(await allowed(user, groups, SIDECAR_NS, "accesspolicies", verb), verb).toBe(true);
      expect(await allowed(user, groups, SIDECAR_NS, "apikeys", verb), verb).toBe(true);
    }
    expect(await allowed(user, groups, SIDECAR_NS, "leases", "create", "coordination.k8s.io")).toBe(true);
    // Only the status writer's own Lease: a model container must not take over another
    // application's leader election in its namespace.
    expect(await allowed(user, groups, SIDECAR_NS, "leases", "update", "coordination.k8s.io", "modelgate-status-writer")).toBe(true);
    expect(await allowed(user, groups, SIDECAR_NS, "leases", "update", "coordination.k8s.io", "other-controller")).toBe(false);
    expect(await allowed(user, groups, SIDECAR_NS, "accesspolicies/status", "patch")).toBe(true);
    expect(await allowed(user, groups, SIDECAR_NS, "secrets", "list", "")).toBe(false);
    expect(await allowed(user, groups, SIDECAR_NS, "accesspolicies", "delete")).toBe(false);
    expect(await allowed(user, ["system:serviceaccounts", "system:serviceaccounts:other"], "other", "accesspolicies", "list")).toBe(false);
  });

  it("prints the next three commands: label and annotate, write a policy and mint a key, try it", () => {
    expect(installOutput).toContain(`kubectl label namespace ${SIDECAR_NS} modelgate.io/injection=enabled`);
    expect(installOutput).toContain('"modelgate.io/inject":"true"');
    expect(installOutput).toContain("kind: AccessPolicy");
    expect(installOutput).toContain(
      `modelgate keys create --subject you@example.com --team data_science --namespace ${SIDECAR_NS} --apply`,
    );
    expect(installOutput).toMatch(/curl -i -H "x-api-key: \$KEY" -X POST http:\/\/127\.0\.0\.1:8443\/v2\/models\/MODEL\/infer/);
    expect(installOutput).toContain("WARNING: trialRedis is enabled");
  });

  it("creates the sidecar ConfigMap the injected pods mount", async () => {
    const cm = await get<{ data: Record<string, string> }>(`/api/v1/namespaces/${SIDECAR_NS}/configmaps/modelgate-sidecar`);
    expect(parseYaml(cm.data["modelgate.yaml"] ?? "")).toMatchObject({ namespace: SIDECAR_NS, policySource: "kubernetes" });
  });

  it("keeps the webhook CA, its certificate and the trial Redis password across helm upgrades", async () => {
    const before = await webhookState();
    for (let i = 0; i < 2; i++)
      withValuesFile(VALUES, (file) => helm("upgrade", "modelgate", CHART, "--namespace", RELEASE_NAMESPACE, "-f", file));
    const after = await webhookState();
    expect(after).toEqual(before);
    const history = helm("history", "modelgate", "--namespace", RELEASE_NAMESPACE, "-o", "json");
    expect((JSON.parse(history) as unknown[]).length).toBe(3);
  }, 60_000);
});
