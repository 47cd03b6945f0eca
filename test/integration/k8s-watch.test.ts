import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpListWatchClient } from "../../src/adapters/k8s/list-watch-client.ts";
import { createKubeHttp } from "../../src/adapters/k8s/kube-http.ts";
import type { KeyWatch } from "../../src/adapters/k8s/key-watch.ts";
import { policyCollection } from "../../src/adapters/k8s/kube-collections.ts";
import { createLeaseElector, type LeaseElector } from "../../src/adapters/k8s/lease-elector.ts";
import { createPolicyWatch, type PolicyWatch } from "../../src/adapters/k8s/policy-watch.ts";
import { createStatusWriter } from "../../src/adapters/k8s/status-writer.ts";
import type { KubeHarness } from "../harness/kube-harness.ts";
import {
  FAST_TUNING,
  NS,
  POLICIES,
  REAL_TIMERS,
  APIKEYS,
  allowTeam,
  keyWatchOf,
  eventually,
  newApiKey,
  policy,
  remove,
  startCluster,
  startGateway,
  upsert,
  type Gateway,
} from "./helpers/k8s-cluster.ts";

// AccessPolicies and ApiKeys in a real API server drive decisions of the real gRPC server.
// Bounds are generous (2 shared cores); the measured propagation times are logged.

const BOUND_MS = 10_000;
let harness: KubeHarness;
let policies: PolicyWatch;
let keys: KeyWatch;
let gateway: Gateway;
let elector: LeaseElector;

beforeAll(async () => {
  harness = await startCluster();
  const http = createKubeHttp(harness.kubeConfig());
  elector = createLeaseElector({
    http,
    timers: REAL_TIMERS,
    namespace: NS,
    name: "modelgate-status-writer",
    identity: "test-replica",
    leaseDurationSeconds: 10,
    renewIntervalSeconds: 1,
  });
  const writer = createStatusWriter({ http, timers: REAL_TIMERS, isLeader: () => elector.isLeader() });
  policies = createPolicyWatch({
    client: httpListWatchClient(http, policyCollection(NS), 10_000),
    timers: REAL_TIMERS,
    tuning: FAST_TUNING,
    onChange: (_index, statuses) => void writer.sync(statuses),
  });
  keys = keyWatchOf(http, "apikeys", NS, 10_000);
  gateway = await startGateway(policies, keys);
  elector.start();
}, 120_000);

afterAll(async () => {
  policies?.stop();
  keys?.stop();
  await elector?.stop();
  await gateway?.close();
  await harness?.stop();
});

async function until(reason: string, key: string): Promise<number> {
  const started = Date.now();
  await eventually(async () => expect(await gateway.reasonFor(key)).toBe(reason), BOUND_MS);
  return Date.now() - started;
}

describe("policies and keys from the API server", () => {
  it("is not ready before the first list and ready after it", async () => {
    expect(policies.current()).toBeUndefined();
    expect(await gateway.reasonFor(undefined)).toBe("not_ready");
    policies.start();
    keys.start();
    await eventually(() => expect(policies.synced() && keys.synced()).toBe(true), BOUND_MS);
    expect(policies.current()?.policyCount).toBe(0);
    expect(policies.staleness()).toBeLessThan(BOUND_MS);
  });

  it("create, update and delete of AccessPolicies and ApiKeys change decisions", async () => {
    const dana = newApiKey("dana@example.com", "data_science");
    expect(await gateway.reasonFor(dana.key)).toBe("api_key_unknown");
    await upsert(harness, APIKEYS, dana.apiKey);
    const keyMs = await until("policy_no_match", dana.key);
    await upsert(harness, POLICIES, policy("fraud", [allowTeam("data_science")]));
    const createMs = await until("allowed", dana.key);
    await upsert(harness, POLICIES, policy("fraud", [allowTeam("analytics")]));
    const updateMs = await until("policy_no_match", dana.key);
    await upsert(harness, POLICIES, policy("fraud", [allowTeam("data_science")]));
    await until("allowed", dana.key);
    await remove(harness, POLICIES, "fraud");
    const deleteMs = await until("policy_no_match", dana.key);
    await upsert(harness, POLICIES, policy("fraud", [allowTeam("data_science")]));
    await until("allowed", dana.key);
    await upsert(harness, APIKEYS, { ...dana.apiKey, spec: { ...dana.apiKey.spec, revoked: true } });
    const revokeMs = await until("api_key_revoked", dana.key);
    await remove(harness, APIKEYS, dana.apiKey.metadata.name);
    const keyDeleteMs = await until("api_key_unknown", dana.key);
    console.log(
      `propagation ms: key ${keyMs}, create ${createMs}, update ${updateMs}, delete ${deleteMs}, revoke ${revokeMs}, key delete ${keyDeleteMs}`,
    );
  });

  it("keeps serving the last valid version of a policy whose new generation does not compile, and says so in status", async () => {
    const erin = newApiKey("erin@example.com", "fraud");
    await upsert(harness, APIKEYS, erin.apiKey);
    await upsert(harness, POLICIES, policy("semantic", [allowTeam("fraud")]));
    await until("allowed", erin.key);
    // Both pass the CRD schema; only modelgate's compiler can refuse them.
    const badWhen = { ...allowTeam("fraud"), when: 'request.enviroment == "prod"' };
    await upsert(
      harness,
      POLICIES,
      policy("semantic", [badWhen], { routes: [{ method: "POST", path: "/v1/{model}/{model}", action: "train" }] }),
    );
    const status = await eventually(async () => {
      const got = await harness.request("GET", `${POLICIES}/semantic`);
      const body = got.body as {
        metadata: { generation: number };
        status?: { conditions?: { type: string; status: string; reason: string; message: string; observedGeneration: number }[] };
      };
      const accepted = body.status?.conditions?.find((c) => c.type === "Accepted");
      expect(accepted?.observedGeneration).toBe(body.metadata.generation);
      return body;
    }, BOUND_MS);
    const conditions = status.status?.conditions ?? [];
    expect(conditions.find((c) => c.type === "Accepted")).toMatchObject({ status: "False", reason: "Invalid" });
    expect(conditions.find((c) => c.type === "Accepted")?.message).toMatch(/spec\.rules\[0\]\.when: .*enviroment/);
    expect(conditions.find((c) => c.type === "Accepted")?.message).toMatch(/spec\.routes\[0\]\.path: .*model/);
    expect(conditions.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "ServingPreviousGeneration" });
    expect(await gateway.reasonFor(erin.key)).toBe("allowed");
    expect(policies.status().find((s) => s.key === `${NS}/semantic`)).toMatchObject({
      accepted: false,
      servedGeneration: 1,
      generation: 2,
    });
    await upsert(harness, POLICIES, policy("semantic", [allowTeam("nobody")]));
    await until("policy_no_match", erin.key);
    await eventually(async () => {
      const got = (await harness.request("GET", `${POLICIES}/semantic`)).body as {
        status?: { conditions?: { type: string; status: string; observedGeneration: number }[] };
      };
      expect(got.status?.conditions?.map((c) => [c.type, c.status, c.observedGeneration])).toEqual([
        ["Accepted", "True", 3],
        ["Ready", "True", 3],
      ]);
    }, BOUND_MS);
    await remove(harness, POLICIES, "semantic");
  });

  it("writes the warnings about broad grants into status (and the Accepted condition)", async () => {
    const probes = { name: "anyone-probes", effect: "Allow", subjects: [{}], actions: ["health"] };
    await upsert(harness, POLICIES, policy("broad", [probes], { models: ["**"] }));
    type Status = { conditions?: { type: string; reason: string; message: string }[]; warnings?: { rule: string; message: string }[] };
    const status = await eventually(async () => {
      const got = (await harness.request("GET", `${POLICIES}/broad`)).body as { status?: Status };
      expect(got.status?.warnings).toHaveLength(1);
      return got.status;
    }, BOUND_MS);
    expect(status?.warnings?.[0]).toEqual({ rule: "anyone-probes", message: expect.stringContaining("grants health on every model") });
    expect(status?.conditions?.find((c) => c.type === "Accepted")).toMatchObject({
      reason: "CompiledWithWarnings",
      message: expect.stringContaining("rule anyone-probes grants health"),
    });
    // Narrowed to the server-wide routes: nothing to warn about any more.
    await upsert(harness, POLICIES, policy("broad", [probes], { models: ["(server)"] }));
    await eventually(async () => {
      const got = (await harness.request("GET", `${POLICIES}/broad`)).body as { status?: Status };
      expect(got.status?.warnings).toEqual([]);
      expect(got.status?.conditions?.find((c) => c.type === "Accepted")?.reason).toBe("Compiled");
    }, BOUND_MS);
    await remove(harness, POLICIES, "broad");
  });

  it("converges to the last of many rapid updates", async () => {
    const teams = Array.from({ length: 30 }, (_, i) => `team${i}`);
    const last = newApiKey("last@example.com", "team29");
    const other = newApiKey("other@example.com", "team28");
    await upsert(harness, APIKEYS, last.apiKey);
    await upsert(harness, APIKEYS, other.apiKey);
    await until("policy_no_match", last.key);
    let final: unknown;
    for (const team of teams) final = await upsert(harness, POLICIES, policy("rapid", [allowTeam(team)]));
    const generation = (final as { metadata: { generation: number } }).metadata.generation;
    await until("allowed", last.key);
    expect(await gateway.reasonFor(other.key)).toBe("policy_no_match");
    expect(policies.status().find((s) => s.key === `${NS}/rapid`)).toMatchObject({
      generation,
      servedGeneration: generation,
      accepted: true,
    });
  });
});
