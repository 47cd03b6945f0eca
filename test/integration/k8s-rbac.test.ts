import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { createKubeHttp } from "../../src/adapters/k8s/kube-http.ts";
import { policyCollection } from "../../src/adapters/k8s/kube-sources.ts";
import { httpListWatchClient } from "../../src/adapters/k8s/list-watch-client.ts";
import { createPolicyWatch } from "../../src/adapters/k8s/policy-watch.ts";
import type { KubeHarness } from "../harness/kube-harness.ts";
import { FAST_TUNING, NS, REAL_TIMERS, eventually, expectStatus, startCluster } from "./helpers/k8s-cluster.ts";

// deploy/rbac bound to a real service account, whose real token (TokenRequest) asks the API
// server what it may do: exactly what the sidecar and the status writer need, nothing more.

const RBAC = join(import.meta.dirname, "../../deploy/rbac");
let harness: KubeHarness;
let token: string;

function manifests(file: string): { kind: string; metadata: { name: string; namespace?: string } }[] {
  return parseAllDocuments(readFileSync(join(RBAC, file), "utf8")).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
}

beforeAll(async () => {
  harness = await startCluster();
  await expectStatus(harness.request("POST", `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "modelgate" } }), 201);
  for (const role of [...manifests("sidecar-role.yaml"), ...manifests("status-writer-role.yaml")]) {
    await expectStatus(harness.request("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`, role), 201);
  }
  for (const binding of manifests("bindings.yaml")) {
    await expectStatus(harness.request("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, binding), 201);
  }
  await expectStatus(harness.request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "elsewhere" } }), 201);
  const issued = await expectStatus(harness.request("POST", `/api/v1/namespaces/${NS}/serviceaccounts/modelgate/token`, { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } }), 201);
  token = (issued.body as { status: { token: string } }).status.token;
}, 120_000);

afterAll(async () => harness?.stop());

type Check = readonly [verb: string, group: string, resource: string, namespace: string, allowed: boolean];

const CHECKS: readonly Check[] = [
  ["get", "modelgate.io", "accesspolicies", NS, true],
  ["list", "modelgate.io", "accesspolicies", NS, true],
  ["watch", "modelgate.io", "accesspolicies", NS, true],
  ["create", "modelgate.io", "accesspolicies", NS, false],
  ["update", "modelgate.io", "accesspolicies", NS, false],
  ["delete", "modelgate.io", "accesspolicies", NS, false],
  ["patch", "modelgate.io", "accesspolicies/status", NS, true],
  ["update", "modelgate.io", "accesspolicies/status", NS, true],
  ["list", "modelgate.io", "accesspolicies", "elsewhere", false],
  ["list", "", "secrets", NS, true],
  ["watch", "", "secrets", NS, true],
  ["create", "", "secrets", NS, false],
  ["delete", "", "secrets", NS, false],
  ["list", "", "secrets", "elsewhere", false],
  ["get", "coordination.k8s.io", "leases", NS, true],
  ["create", "coordination.k8s.io", "leases", NS, true],
  ["update", "coordination.k8s.io", "leases", NS, true],
  ["delete", "coordination.k8s.io", "leases", NS, false],
  ["list", "", "pods", NS, false],
  ["list", "", "configmaps", NS, false],
  ["list", "apiextensions.k8s.io", "customresourcedefinitions", "", false],
];

describe("RBAC for the sidecar and the status writer", () => {
  it.each(CHECKS)("%s %s/%s in %s: allowed=%s", async (verb, group, resource, namespace, allowed) => {
    const [plural, subresource] = resource.split("/");
    const review = {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: { resourceAttributes: { verb, group, resource: plural, ...(subresource === undefined ? {} : { subresource }), ...(namespace === "" ? {} : { namespace }) } },
    };
    const reply = await expectStatus(harness.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review, { token }), 201);
    expect((reply.body as { status: { allowed: boolean } }).status.allowed).toBe(allowed);
  });

  it("lets the watch run with the service account's token", async () => {
    const kc = harness.kubeConfig(token);
    const watch = createPolicyWatch({ client: httpListWatchClient(createKubeHttp(kc), policyCollection(NS), 5000), timers: REAL_TIMERS, tuning: FAST_TUNING });
    watch.start();
    try {
      await eventually(() => expect(watch.synced()).toBe(true), 10_000);
    } finally {
      watch.stop();
    }
  });
});
