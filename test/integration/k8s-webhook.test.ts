import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify, parse } from "yaml";
import { applyPatch, type PatchOp } from "../../src/core/inject/json-patch.ts";
import { INJECTOR_CONFIG_DEFAULTS } from "../../src/core/inject/injector-config.ts";
import { renderInjectedBootstrap } from "../../src/envoy-config/injected-bootstrap.ts";
import { injectYamlStream } from "../../src/cli/inject-manifests.ts";
import { startKubeHarness, type KubeHarness } from "../harness/kube-harness.ts";
import { eventually, expectStatus } from "./helpers/k8s-cluster.ts";
import { createTestPki, type TestCert, type TestPki } from "./helpers/test-pki.ts";
import { startWebhook, type RunningWebhook } from "./helpers/webhook-process.ts";

// The real kube-apiserver calls the running `modelgate webhook` through a
// MutatingWebhookConfiguration shaped as the chart renders it (deploy contract), with a URL
// client config and the test CA.

const NS = "ml-serving";
const NOT_ENABLED = "ml-unlabelled";
const SAFETY_NET = join(import.meta.dirname, "../../deploy/admission/require-injection.yaml");
const OWN_NS = "modelgate-system";
let harness: KubeHarness;
let pki: TestPki;
let ca: TestCert;
let webhook: RunningWebhook;

type Pod = {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Record<string, unknown>[]; initContainers?: Record<string, unknown>[]; volumes?: unknown[] };
};

function modelPod(name: string, annotations: Record<string, string>): Pod {
  return {
    metadata: { name, annotations },
    spec: {
      containers: [
        {
          name: "model",
          image: "example/model:1",
          ports: [{ name: "http", containerPort: 8080 }],
          readinessProbe: { httpGet: { path: "/v2/health/ready", port: "http" } },
          livenessProbe: { httpGet: { path: "/v2/health/live", port: 8080 } },
        },
      ],
    },
  };
}

const PROTECT = { "modelgate.io/inject": "true", "modelgate.io/model": "fraud-detector", "modelgate.io/model-port": "8080" };

function webhookConfiguration(url: string, caPem: string): unknown {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: { name: "modelgate-injector" },
    webhooks: [
      {
        name: "inject.modelgate.io",
        clientConfig: { url, caBundle: Buffer.from(caPem).toString("base64") },
        rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }],
        sideEffects: "None",
        admissionReviewVersions: ["v1"],
        reinvocationPolicy: "IfNeeded",
        failurePolicy: "Fail",
        timeoutSeconds: 10,
        namespaceSelector: {
          matchLabels: { "modelgate.io/injection": "enabled" },
          matchExpressions: [
            { key: "kubernetes.io/metadata.name", operator: "NotIn", values: [OWN_NS, "kube-system", "kube-public", "kube-node-lease"] },
          ],
        },
      },
    ],
  };
}

async function createPod(ns: string, pod: Pod, query = ""): Promise<{ status: number; body: unknown }> {
  return harness.request("POST", `/api/v1/namespaces/${ns}/pods${query}`, { apiVersion: "v1", kind: "Pod", ...pod });
}

beforeAll(async () => {
  pki = createTestPki();
  ca = pki.rootCa("webhook-ca");
  webhook = await startWebhook(pki, ca);
  harness = await startKubeHarness();
  for (const name of [NS, OWN_NS]) {
    await expectStatus(
      harness.request("POST", "/api/v1/namespaces", {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name, labels: { "modelgate.io/injection": "enabled" } },
      }),
      201,
    );
  }
  await expectStatus(
    harness.request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NOT_ENABLED } }),
    201,
  );
  await expectStatus(
    harness.request(
      "POST",
      "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
      webhookConfiguration(`https://127.0.0.1:${webhook.port}/inject`, ca.pem),
    ),
    201,
  );
  // The API server picks webhook configurations up asynchronously: wait until a dry run is injected.
  await eventually(
    async () => {
      const r = await createPod(NS, modelPod("probe", PROTECT), "?dryRun=All");
      if (((r.body as Pod).spec?.initContainers ?? []).length !== 2) throw new Error(`not injected yet: ${r.status}`);
    },
    30_000,
    250,
  );
}, 180_000);

afterAll(async () => {
  await harness?.stop();
  await webhook?.stop();
  pki?.cleanup();
});

describe("the real API server with modelgate webhook", () => {
  it("an annotated pod comes back with both native sidecars, the label and rewritten probes", async () => {
    const created = await expectStatus(createPod(NS, modelPod("fraud-0", PROTECT)), 201);
    const pod = created.body as Pod;
    expect(pod.metadata.labels).toEqual({ "modelgate.io/injected": "true" });
    expect(pod.spec.initContainers?.map((c) => [c["name"], c["restartPolicy"]])).toEqual([
      ["modelgate", "Always"],
      ["modelgate-envoy", "Always"],
    ]);
    const model = pod.spec.containers[0]!;
    expect(model["readinessProbe"]).toMatchObject({ httpGet: { path: "/modelgate-probe/readiness", port: 15021, scheme: "HTTP" } });
    expect(model["livenessProbe"]).toMatchObject({ httpGet: { path: "/modelgate-probe/liveness", port: 15021, scheme: "HTTP" } });
    expect(model["ports"]).toEqual([{ name: "mg-model", containerPort: 8080, protocol: "TCP" }]);
    const stored = await expectStatus(harness.request("GET", `/api/v1/namespaces/${NS}/pods/fraud-0`), 200);
    expect((stored.body as Pod).spec.initContainers?.length).toBe(2);
  });

  it("a reinvocation with the stored, injected pod adds nothing", async () => {
    const stored = (await expectStatus(harness.request("GET", `/api/v1/namespaces/${NS}/pods/fraud-0`), 200)).body;
    const again = await webhook.review({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: { uid: "u-2", kind: { group: "", version: "v1", kind: "Pod" }, operation: "CREATE", namespace: NS, object: stored },
    });
    expect((again.body as { response: unknown }).response).toEqual({ uid: "u-2", allowed: true });
  });

  it("a pod without the annotation is stored untouched", async () => {
    const pod = modelPod("plain-0", {});
    const created = (await expectStatus(createPod(NS, pod), 201)).body as Pod;
    expect(created.spec.initContainers).toBeUndefined();
    expect(created.metadata.labels).toBeUndefined();
    expect(created.spec.containers[0]!["readinessProbe"]).toMatchObject({ httpGet: { path: "/v2/health/ready", port: "http" } });
  });

  it("a malformed annotation is refused with the annotation's name and the fix", async () => {
    const refused = await createPod(NS, modelPod("bad-port", { ...PROTECT, "modelgate.io/model-port": "80a" }));
    expect(refused.status).toBe(400);
    const message = (refused.body as { message: string }).message;
    expect(message).toContain('admission webhook "inject.modelgate.io" denied the request');
    expect(message).toContain("modelgate.io/model-port");
    expect(message).toContain("the port the model server listens on");
    const missing = await harness.request("GET", `/api/v1/namespaces/${NS}/pods/bad-port`);
    expect(missing.status).toBe(404);
  });

  it("an unknown protocol is refused too", async () => {
    const refused = await createPod(NS, modelPod("bad-protocol", { ...PROTECT, "modelgate.io/protocol": "open-inference" }));
    expect(refused.status).toBe(400);
    expect((refused.body as { message: string }).message).toContain("modelgate.io/protocol");
  });

  it("a pod in an excluded namespace is untouched, even when annotated", async () => {
    const created = (await expectStatus(createPod(OWN_NS, modelPod("own-0", PROTECT)), 201)).body as Pod;
    expect(created.spec.initContainers).toBeUndefined();
  });

  it("with the safety-net policy, an annotated pod that was not injected is refused, others pass", async () => {
    for (const doc of parseAllDocuments(readFileSync(SAFETY_NET, "utf8")).map((d) => d.toJS() as { kind: string })) {
      const plural = doc.kind === "ValidatingAdmissionPolicy" ? "validatingadmissionpolicies" : "validatingadmissionpolicybindings";
      await expectStatus(harness.request("POST", `/apis/admissionregistration.k8s.io/v1/${plural}?fieldValidation=Strict`, doc), 201);
    }
    // Policies take effect asynchronously, like webhook configurations.
    const refused = await eventually(
      async () => {
        const r = await createPod(NOT_ENABLED, modelPod("unprotected", PROTECT), "?dryRun=All");
        if (r.status === 201) throw new Error("policy not active yet");
        return r;
      },
      30_000,
      250,
    );
    expect(refused.status).toBe(403);
    expect((refused.body as { message: string }).message).toContain("label its namespace modelgate.io/injection=enabled");
    await expectStatus(createPod(NOT_ENABLED, modelPod("plain-1", {}), "?dryRun=All"), 201);
    await expectStatus(createPod(NS, modelPod("fraud-1", PROTECT), "?dryRun=All"), 201);
  });

  it("`modelgate inject` gives what the webhook gives for the same pod", async () => {
    const pod = modelPod("same-0", PROTECT);
    const manifest = stringify({ apiVersion: "v1", kind: "Pod", metadata: { ...pod.metadata, namespace: NS }, spec: pod.spec });
    const offline = parse(injectYamlStream(manifest, NS, INJECTOR_CONFIG_DEFAULTS, renderInjectedBootstrap).yaml) as Pod;
    // Byte for byte: the webhook's own patch applied to the same pod.
    const review = await webhook.review({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: {
        uid: "u-1",
        kind: { group: "", version: "v1", kind: "Pod" },
        operation: "CREATE",
        namespace: NS,
        object: { apiVersion: "v1", kind: "Pod", metadata: { ...pod.metadata, namespace: NS }, spec: pod.spec },
      },
    });
    const patch = JSON.parse(
      Buffer.from((review.body as { response: { patch: string } }).response.patch, "base64").toString("utf8"),
    ) as PatchOp[];
    const patched = applyPatch({ apiVersion: "v1", kind: "Pod", metadata: { ...pod.metadata, namespace: NS }, spec: pod.spec }, patch);
    expect(JSON.stringify(offline)).toBe(JSON.stringify(patched));
    // And the API server stores exactly those containers (plus its own defaults).
    const stored = (await expectStatus(createPod(NS, pod), 201)).body as Pod;
    expect(stored.spec.initContainers).toMatchObject(offline.spec.initContainers!);
    expect(stored.spec.containers).toMatchObject(offline.spec.containers);
    expect(stored.spec.volumes).toMatchObject(offline.spec.volumes!);
  });

  it("counts what it did", async () => {
    const metrics = await webhook.metrics();
    expect(metrics).toMatch(/modelgate_webhook_injected_total [1-9]/);
    expect(metrics).toMatch(/modelgate_webhook_rejected_total\{reason="model-port"\} [1-9]/);
    expect(metrics).toMatch(/modelgate_webhook_rejected_total\{reason="protocol"\} [1-9]/);
    expect(metrics).toMatch(/modelgate_webhook_skipped_total\{reason="not_requested"\} [1-9]/);
    expect(metrics).toMatch(/modelgate_webhook_duration_seconds_count [1-9]/);
  });
});
