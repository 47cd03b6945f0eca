import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKubeHttp } from "../../src/adapters/k8s/kube-http.ts";
import type { KeyWatch } from "../../src/adapters/k8s/key-watch.ts";
import { policyCollection } from "../../src/adapters/k8s/kube-collections.ts";
import { httpListWatchClient } from "../../src/adapters/k8s/list-watch-client.ts";
import type { LoopEvent } from "../../src/adapters/k8s/list-watch-loop.ts";
import { createPolicyWatch, type PolicyWatch } from "../../src/adapters/k8s/policy-watch.ts";
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
  startCluster,
  startGateway,
  upsert,
  type Gateway,
} from "./helpers/k8s-cluster.ts";

// The API server goes away (stopped, or frozen with its connections open) after the first
// sync: decisions continue from the last-known-good state, and the watch recovers by itself.

let harness: KubeHarness;
let policies: PolicyWatch;
let keys: KeyWatch;
let gateway: Gateway;
const events: LoopEvent[] = [];
const dana = newApiKey("dana@example.com", "data_science");

beforeAll(async () => {
  harness = await startCluster();
  const http = createKubeHttp(harness.kubeConfig());
  const onLoop = (event: LoopEvent): void => void events.push(event);
  policies = createPolicyWatch({
    client: httpListWatchClient(http, policyCollection(NS), 3000),
    timers: REAL_TIMERS,
    tuning: FAST_TUNING,
    onLoop,
  });
  keys = keyWatchOf(http, "apikeys", NS, 3000);
  gateway = await startGateway(policies, keys);
  await upsert(harness, APIKEYS, dana.apiKey);
  await upsert(harness, POLICIES, policy("fraud", [allowTeam("data_science")]));
  policies.start();
  keys.start();
  await eventually(async () => expect(await gateway.reasonFor(dana.key)).toBe("allowed"), 10_000);
}, 120_000);

afterAll(async () => {
  policies?.stop();
  keys?.stop();
  await gateway?.close();
  await harness?.stop();
});

describe("API server outages", () => {
  it("keeps deciding from last-known-good while the API server is down, then catches up on what changed meanwhile", async () => {
    await harness.stopApiserver();
    // Changes made through another API server of the same cluster while ours is down.
    const other = await harness.startSecondApiserver();
    try {
      await upsert(other, POLICIES, policy("fraud", [allowTeam("analytics")]));
      const erin = newApiKey("erin@example.com", "analytics");
      await upsert(other, APIKEYS, erin.apiKey);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await gateway.reasonFor(dana.key)).toBe("allowed"); // last-known-good
      expect(await gateway.reasonFor(erin.key)).toBe("api_key_unknown");
      expect(policies.staleness()).toBeGreaterThan(1000);
      expect(events.some((e) => e.kind === "retry")).toBe(true);
      await harness.startApiserver();
      await eventually(async () => expect(await gateway.reasonFor(dana.key)).toBe("policy_no_match"), 15_000);
      await eventually(async () => expect(await gateway.reasonFor(erin.key)).toBe("allowed"), 15_000);
      expect(policies.staleness()).toBeLessThan(15_000);
    } finally {
      await other.stop();
    }
  });

  it("detects a watch that is stalled with its connection open, and restarts it", async () => {
    await upsert(harness, POLICIES, policy("fraud", [allowTeam("data_science")]));
    await eventually(async () => expect(await gateway.reasonFor(dana.key)).toBe("allowed"), 10_000);
    const before = events.filter((e) => e.kind === "stalled").length;
    harness.pauseApiserver(); // SIGSTOP: the TCP connection stays up, nothing more arrives
    try {
      // watchTimeoutSeconds (3, up to 4.5) + stallGrace (2 s): flagged within ~7 s.
      await eventually(() => expect(events.filter((e) => e.kind === "stalled").length).toBeGreaterThan(before), 20_000, 200);
      expect(await gateway.reasonFor(dana.key)).toBe("allowed");
    } finally {
      harness.resumeApiserver();
    }
    await upsert(harness, POLICIES, policy("fraud", [allowTeam("nobody")]));
    await eventually(async () => expect(await gateway.reasonFor(dana.key)).toBe("policy_no_match"), 15_000);
  });
});
