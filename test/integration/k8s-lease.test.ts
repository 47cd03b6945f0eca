import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_KUBERNETES_CONFIG, type KubernetesConfig } from "../../src/core/kubernetes-config.ts";
import { loadKubeConfig } from "../../src/adapters/k8s/kube-collections.ts";
import { createKubernetesSources, type KubernetesSources } from "../../src/wiring/kubernetes-sources.ts";
import type { KubeHarness } from "../harness/kube-harness.ts";
import { NS, POLICIES, REAL_TIMERS, allowTeam, eventually, policy, startCluster, upsert } from "./helpers/k8s-cluster.ts";

// Two replicas built the way the engine will build them (createKubernetesSources from a
// kubeconfig): both serve, one Lease holder writes status; when it leaves, the other takes over.

let harness: KubeHarness;
const replicas: KubernetesSources[] = [];
const statusErrors: string[] = [];

const CONFIG = (kubeconfig: string): KubernetesConfig => ({
  ...DEFAULT_KUBERNETES_CONFIG,
  kubeconfig,
  watchTimeoutSeconds: 10,
  stallGraceSeconds: 2,
  backoff: { initialMs: 100, maxMs: 1000 },
  statusWriter: { enabled: true, leaseName: "modelgate-status-writer", leaseDurationSeconds: 3, renewIntervalSeconds: 1 },
});

beforeAll(async () => {
  harness = await startCluster();
  for (const name of ["replica-a", "replica-b"]) {
    const kc = loadKubeConfig(CONFIG(harness.kubeconfigFile));
    if (!kc.ok) throw new Error(JSON.stringify(kc.error));
    const sources = createKubernetesSources(kc.value, {
      config: CONFIG(harness.kubeconfigFile),
      namespace: NS,
      identity: name,
      timers: REAL_TIMERS,
      hooks: { onStatusError: (key, message) => void statusErrors.push(`${name} ${key}: ${message}`) },
    });
    replicas.push(sources);
    sources.start();
  }
}, 120_000);

afterAll(async () => {
  for (const r of replicas) await r.stop();
  await harness?.stop();
});

async function leaseHolder(): Promise<string | undefined> {
  const got = await harness.request("GET", `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/modelgate-status-writer`);
  return (got.body as { spec?: { holderIdentity?: string } }).spec?.holderIdentity;
}

describe("the elected status writer", () => {
  it("has exactly one leader among the replicas, and every replica is ready and serving", async () => {
    await eventually(() => expect(replicas.every((r) => r.ready())).toBe(true), 10_000);
    await eventually(() => expect(replicas.filter((r) => r.elector?.isLeader()).length).toBe(1), 10_000);
    const leader = replicas.findIndex((r) => r.elector?.isLeader());
    expect(await leaseHolder()).toBe(["replica-a", "replica-b"][leader]);
    await upsert(harness, POLICIES, policy("elected", [allowTeam("fraud")]));
    await eventually(() => expect(replicas.every((r) => r.policies.current()?.policyCount === 1)).toBe(true), 10_000);
    await eventually(async () => {
      const got = (await harness.request("GET", `${POLICIES}/elected`)).body as {
        status?: { conditions?: { type: string; status: string }[] };
      };
      expect(got.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(["Accepted=True", "Ready=True"]);
    }, 10_000);
    expect(statusErrors).toEqual([]);
  });

  it("hands over to the other replica when the leader stops, which then writes status", async () => {
    const leader = replicas.find((r) => r.elector?.isLeader());
    const follower = replicas.find((r) => r !== leader);
    await leader?.stop();
    await eventually(() => expect(follower?.elector?.isLeader()).toBe(true), 10_000);
    await upsert(harness, POLICIES, policy("elected", [{ ...allowTeam("fraud"), when: "nonsense(" }]));
    await eventually(async () => {
      const got = (await harness.request("GET", `${POLICIES}/elected`)).body as {
        metadata: { generation: number };
        status?: { conditions?: { type: string; status: string; observedGeneration: number }[] };
      };
      expect(got.status?.conditions?.map((c) => `${c.type}=${c.status}@${c.observedGeneration}`)).toEqual([
        `Accepted=False@${got.metadata.generation}`,
        `Ready=False@${got.metadata.generation}`,
      ]);
    }, 10_000);
  });
});
