import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import type { KubeHarness } from "../harness/kube-harness.ts";
import { connectAuthz, reasonOf, type AuthzClient } from "./helpers/authz-client.ts";
import { startFixtureServer, type FixtureServer } from "./helpers/fixture-server.ts";
import { allowTeam, APIKEYS, eventually, newApiKey, NS, policy, POLICIES, startCluster, upsert } from "./helpers/k8s-cluster.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";
import { FIXTURE_KEYS, FRAUD_POLICY } from "./fixtures.ts";

// The production wiring, configured from YAML exactly as a deployment would: policies and keys
// from a real kube-apiserver, rate limits counted in a real Redis.

const infer = (key: string) =>
  buildCheckRequest({ method: "POST", path: "/v2/models/fraud-detector/infer", headers: { "x-api-key": key } });
const reason = async (client: AuthzClient, key: string) => {
  return reasonOf(await client.check(infer(key)));
};

describe("rate limits in Redis (limiter.redis)", () => {
  let redis: RedisProcess;
  let fixture: FixtureServer;
  let client: AuthzClient;

  beforeAll(async () => {
    redis = await startRedis();
    fixture = await startFixtureServer({
      policyYaml: FRAUD_POLICY,
      keys: FIXTURE_KEYS,
      // A generous deadline: this test is about counting in Redis, not about a slow Redis (a
      // loaded CI machine would otherwise send a call to the local share now and then).
      config: { limiter: { redis: { url: redis.url, deadline: "500ms", breaker: { failures: 1, openFor: "200ms" } } } },
    });
    client = connectAuthz(fixture.tcpTarget);
  });

  afterAll(async () => {
    client?.close();
    await fixture?.stop();
    await redis?.stop();
  });

  it("counts in Redis: the sixth predict in a minute is limited, and the counters live in Redis", async () => {
    const key = fixture.keys["scientist"] as string;
    const reasons = [];
    for (let i = 0; i < 6; i++) reasons.push(await reason(client, key));
    expect(reasons).toEqual(["allowed", "allowed", "allowed", "allowed", "allowed", "rate_limited"]);
    const keys = await redis.admin().keys("mg:rl:*");
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(await redis.admin().pttl(k)).toBeGreaterThan(0);
  });

  it("keeps deciding from the local share while Redis is frozen, never relaxing authorization", async () => {
    redis.freeze();
    try {
      const started = Date.now();
      expect(await reason(client, fixture.keys["analyst"] as string)).toBe("policy_no_match");
      expect(await reason(client, fixture.keys["bulk"] as string)).toBe("allowed");
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      redis.thaw();
    }
  });
});

describe("policies and keys from Kubernetes (policySource: kubernetes)", () => {
  let harness: KubeHarness;
  let fixture: FixtureServer;
  let client: AuthzClient;

  beforeAll(async () => {
    harness = await startCluster(); // with the CRD applied and the namespace created
    fixture = await startFixtureServer({
      policyYaml: "",
      keys: {},
      config: {
        namespace: NS,
        policySource: "kubernetes",
        policies: undefined,
        apiKeys: undefined,
        kubernetes: { kubeconfig: harness.kubeconfigFile, statusWriter: { enabled: false } },
      },
    });
    client = connectAuthz(fixture.tcpTarget);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await fixture?.stop();
    await harness?.stop();
  });

  it("answers from kubectl-applied policies and ApiKeys within seconds", async () => {
    const { key, apiKey } = newApiKey("dana@example.com", "data_science");
    await upsert(harness, APIKEYS, apiKey);
    await upsert(harness, POLICIES, policy("fraud-detector", [allowTeam("data_science")]));
    const until = (wanted: string) =>
      eventually(async () => {
        const got = await reason(client, key);
        if (got !== wanted) throw new Error(`still ${got}`);
        return got;
      }, 10_000);
    expect(await until("allowed")).toBe("allowed");
    await upsert(harness, POLICIES, policy("fraud-detector", [allowTeam("analytics")]));
    expect(await until("policy_no_match")).toBe("policy_no_match");
  });

  it("serves no key for an ApiKey only modelgate can refuse, and logs why", async () => {
    const { key, apiKey } = newApiKey("erin@example.com", "analytics");
    // The API server cannot type attribute values (string or list): a number gets through.
    await upsert(harness, APIKEYS, { ...apiKey, spec: { ...apiKey.spec, attributes: { tier: 3 } } });
    const line = await eventually(() => {
      const found = fixture.logs.find((l) => l.includes("api key records refused") && l.includes(apiKey.metadata.name));
      if (found === undefined) throw new Error("not logged yet");
      return found;
    }, 10_000);
    expect(line).toMatch(/spec\.attributes\.tier/);
    expect(await reason(client, key)).toBe("api_key_unknown");
  });
});
