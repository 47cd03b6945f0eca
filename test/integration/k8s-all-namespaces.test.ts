import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import type { KubeHarness } from "../harness/kube-harness.ts";
import { connectAuthz, reasonOf, type AuthzClient } from "./helpers/authz-client.ts";
import { startFixtureServer, type FixtureServer } from "./helpers/fixture-server.ts";
import { allowTeam, eventually, expectStatus, NS, policy, startCluster, upsert } from "./helpers/k8s-cluster.ts";
import { FIXTURE_KEYS } from "./fixtures.ts";

// `kubernetes.allNamespaces: true` (a central deployment) serves AccessPolicies from every
// namespace; without it, only the server's own. One real API server, two servers side by side.

const OTHER = "ml-dev";

let harness: KubeHarness;
let central: FixtureServer;
let local: FixtureServer;

function start(allNamespaces: boolean): Promise<FixtureServer> {
  return startFixtureServer({
    policyYaml: "",
    keys: FIXTURE_KEYS,
    config: {
      namespace: NS,
      policySource: "kubernetes",
      policies: undefined,
      kubernetes: { kubeconfig: harness.kubeconfigFile, allNamespaces, apiKeys: false, statusWriter: { enabled: false } },
    },
  });
}

beforeAll(async () => {
  harness = await startCluster();
  await expectStatus(
    harness.request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: OTHER } }),
    201,
  );
  await upsert(
    harness,
    `/apis/modelgate.io/v1alpha1/namespaces/${NS}/accesspolicies`,
    policy("prod-scientists", [allowTeam("data_science")]),
  );
  const dev = policy("dev-analysts", [allowTeam("analytics")]);
  const inOther = { ...dev, metadata: { ...dev.metadata, namespace: OTHER } };
  await upsert(harness, `/apis/modelgate.io/v1alpha1/namespaces/${OTHER}/accesspolicies`, inOther);
  central = await start(true);
  local = await start(false);
}, 120_000);

afterAll(async () => {
  await central?.stop();
  await local?.stop();
  await harness?.stop();
});

async function reason(server: FixtureServer, who: keyof typeof FIXTURE_KEYS): Promise<string> {
  const client: AuthzClient = connectAuthz(server.tcpTarget);
  try {
    const r = await client.check(
      buildCheckRequest({ method: "POST", path: "/v2/models/fraud-detector/infer", headers: { "x-api-key": server.keys[who] as string } }),
    );
    return reasonOf(r);
  } finally {
    client.close();
  }
}

describe("policies from every namespace", () => {
  it("a central deployment serves both namespaces' policies; a namespaced one only its own", async () => {
    await eventually(async () => {
      if ((await reason(central, "analyst")) !== "allowed") throw new Error("ml-dev policy not served yet");
    }, 10_000);
    expect(await reason(central, "scientist")).toBe("allowed");
    expect(await reason(local, "scientist")).toBe("allowed");
    expect(await reason(local, "analyst")).toBe("policy_no_match");
  });
});
