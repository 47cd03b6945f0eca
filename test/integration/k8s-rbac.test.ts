import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { createKubeHttp } from "../../src/adapters/k8s/kube-http.ts";
import { policyCollection } from "../../src/adapters/k8s/kube-collections.ts";
import { createLeaseElector } from "../../src/adapters/k8s/lease-elector.ts";
import { httpListWatchClient } from "../../src/adapters/k8s/list-watch-client.ts";
import { createPolicyWatch } from "../../src/adapters/k8s/policy-watch.ts";
import { verifyApiKey } from "../../src/core/identity/key-store.ts";
import type { KubeHarness } from "../harness/kube-harness.ts";
import {
  APIKEYS,
  FAST_TUNING,
  NS,
  REAL_TIMERS,
  SECRETS,
  eventually,
  expectStatus,
  keyWatchOf,
  newApiKey,
  newKeySecret,
  startCluster,
  upsert,
} from "./helpers/k8s-cluster.ts";

// deploy/rbac applied as shipped, in a namespace where the model pods run as service accounts
// the RBAC never names (the sidecar runs as whatever the user chose): real tokens (TokenRequest)
// ask the API server what they may do, read a Secret and are refused, and run the real watches.

const RBAC = join(import.meta.dirname, "../../deploy/rbac");
const OTHER_NS = "elsewhere";
// Service account names nothing in deploy/rbac mentions, one of them random.
const ACCOUNTS = ["default", `fraud-model-${randomBytes(3).toString("hex")}`];
let harness: KubeHarness;
const tokens = new Map<string, string>();
let outsider: string; // a service account of another namespace

function manifests(file: string): { kind: string; metadata: { name: string; namespace?: string } }[] {
  return parseAllDocuments(readFileSync(join(RBAC, file), "utf8")).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
}

async function serviceAccountToken(namespace: string, name: string): Promise<string> {
  await expectStatus(
    harness.request("POST", `/api/v1/namespaces/${namespace}/serviceaccounts`, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name },
    }),
    201,
  );
  const issued = await expectStatus(
    harness.request("POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds: 3600 },
    }),
    201,
  );
  return (issued.body as { status: { token: string } }).status.token;
}

beforeAll(async () => {
  harness = await startCluster();
  for (const role of [...manifests("sidecar-role.yaml"), ...manifests("status-writer-role.yaml")]) {
    await expectStatus(harness.request("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`, role), 201);
  }
  for (const binding of manifests("bindings.yaml")) {
    await expectStatus(harness.request("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, binding), 201);
  }
  await expectStatus(
    harness.request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: OTHER_NS } }),
    201,
  );
  for (const account of ACCOUNTS) tokens.set(account, await serviceAccountToken(NS, account));
  outsider = await serviceAccountToken(OTHER_NS, "default");
}, 120_000);

afterAll(async () => harness?.stop());

type Check = readonly [verb: string, group: string, resource: string, namespace: string, allowed: boolean, name?: string];

const CHECKS: readonly Check[] = [
  ["get", "modelgate.io", "accesspolicies", NS, true],
  ["list", "modelgate.io", "accesspolicies", NS, true],
  ["watch", "modelgate.io", "accesspolicies", NS, true],
  ["create", "modelgate.io", "accesspolicies", NS, false],
  ["update", "modelgate.io", "accesspolicies", NS, false],
  ["delete", "modelgate.io", "accesspolicies", NS, false],
  ["patch", "modelgate.io", "accesspolicies/status", NS, true],
  ["update", "modelgate.io", "accesspolicies/status", NS, true],
  ["list", "modelgate.io", "accesspolicies", OTHER_NS, false],
  ["get", "modelgate.io", "apikeys", NS, true],
  ["list", "modelgate.io", "apikeys", NS, true],
  ["watch", "modelgate.io", "apikeys", NS, true],
  ["create", "modelgate.io", "apikeys", NS, false],
  ["update", "modelgate.io", "apikeys", NS, false],
  ["delete", "modelgate.io", "apikeys", NS, false],
  ["list", "modelgate.io", "apikeys", OTHER_NS, false],
  ["get", "", "secrets", NS, false],
  ["list", "", "secrets", NS, false],
  ["watch", "", "secrets", NS, false],
  ["create", "coordination.k8s.io", "leases", NS, true],
  ["get", "coordination.k8s.io", "leases", NS, true, "modelgate-status-writer"],
  ["update", "coordination.k8s.io", "leases", NS, true, "modelgate-status-writer"],
  ["get", "coordination.k8s.io", "leases", NS, false, "some-controller-lock"],
  ["update", "coordination.k8s.io", "leases", NS, false, "some-controller-lock"],
  ["list", "coordination.k8s.io", "leases", NS, false],
  ["delete", "coordination.k8s.io", "leases", NS, false, "modelgate-status-writer"],
  ["list", "", "pods", NS, false],
  ["list", "", "configmaps", NS, false],
  ["list", "apiextensions.k8s.io", "customresourcedefinitions", "", false],
];

async function allowed(token: string, [verb, group, resource, namespace, , name]: Check): Promise<boolean> {
  const [plural, subresource] = resource.split("/");
  const attributes = {
    verb,
    group,
    resource: plural,
    ...(subresource === undefined ? {} : { subresource }),
    ...(namespace === "" ? {} : { namespace }),
    ...(name === undefined ? {} : { name }),
  };
  const review = { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes: attributes } };
  const reply = await expectStatus(
    harness.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review, { token }),
    201,
  );
  return (reply.body as { status: { allowed: boolean } }).status.allowed;
}

describe("RBAC for the sidecar and the status writer, bound to every service account of the namespace", () => {
  const cases = ACCOUNTS.flatMap((account) =>
    CHECKS.map((check) => ({
      account,
      check,
      title: `${check[0]} ${check[1]}/${check[2]}${check[5] === undefined ? "" : `/${check[5]}`} in ${check[3] || "the cluster"}: allowed=${check[4]}`,
    })),
  );
  it.each(cases)("service account $account: $title", async ({ account, check }) => {
    expect(await allowed(tokens.get(account) ?? "", check)).toBe(check[4]);
  });

  it("refuses an actual Secret read (get and list) with 403", async () => {
    const legacy = newKeySecret("old@example.com", "fraud");
    await upsert(harness, SECRETS, legacy.secret);
    for (const token of tokens.values()) {
      expect((await harness.request("GET", `${SECRETS}/${legacy.secret.metadata.name}`, undefined, { token })).status).toBe(403);
      expect((await harness.request("GET", `${SECRETS}?labelSelector=modelgate.io/api-key`, undefined, { token })).status).toBe(403);
    }
  });

  it("grants nothing to a service account of another namespace", async () => {
    for (const check of CHECKS.filter(([, , , namespace]) => namespace === NS)) expect(await allowed(outsider, check)).toBe(false);
  });

  it("runs the real key and policy watches as an arbitrary service account, which load an ApiKey", async () => {
    const dana = newApiKey("dana@example.com", "data_science");
    await upsert(harness, APIKEYS, dana.apiKey);
    const http = createKubeHttp(harness.kubeConfig(tokens.get(ACCOUNTS[1] ?? "") ?? ""));
    const keys = keyWatchOf(http, "apikeys");
    const policies = createPolicyWatch({
      client: httpListWatchClient(http, policyCollection(NS), 5000),
      timers: REAL_TIMERS,
      tuning: FAST_TUNING,
    });
    keys.start();
    policies.start();
    try {
      await eventually(() => expect(keys.synced() && policies.synced()).toBe(true), 10_000);
      const index = keys.current();
      if (index === undefined) throw new Error("no key index after the first list");
      expect(verifyApiKey(index, dana.key, Date.now())).toMatchObject({ kind: "identified", identity: { subject: "dana@example.com" } });
    } finally {
      keys.stop();
      policies.stop();
    }
  });

  it("lets an arbitrary service account win the status writer's Lease", async () => {
    const http = createKubeHttp(harness.kubeConfig(tokens.get(ACCOUNTS[0] ?? "") ?? ""));
    const elector = createLeaseElector({
      http,
      timers: REAL_TIMERS,
      namespace: NS,
      name: "modelgate-status-writer",
      identity: "pod-a",
      leaseDurationSeconds: 10,
      renewIntervalSeconds: 1,
    });
    elector.start();
    try {
      await eventually(() => expect(elector.isLeader()).toBe(true), 10_000);
    } finally {
      await elector.stop();
    }
  });
});
