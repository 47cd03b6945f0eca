import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anomalyScriptPort } from "../../src/adapters/anomaly/anomaly-redis.ts";
import { startRedisCluster, type RedisClusterProcess } from "./helpers/redis-cluster.ts";
import { ALL_AT_ONCE, testConfig, traffic } from "../core/anomaly/patterns.ts";
import { detectorKit, feed, metricValue } from "../adapters/anomaly/helpers.ts";

// On Redis Cluster every script call stays in one slot (all of an identity's keys share its
// hash tag), and identities spread over the primaries.

let cluster: RedisClusterProcess;

beforeAll(async () => {
  cluster = await startRedisCluster();
});

afterAll(async () => {
  await cluster.stop();
});

describe("anomaly detection on Redis Cluster", () => {
  it("raises the same alerts, with no cross-slot failure, keys spread over the primaries", async () => {
    const nodes = cluster.ports.map((port) => ({ host: "127.0.0.1", port }));
    const client = new Cluster(nodes, { enableOfflineQueue: true, scaleReads: "master" });
    const kit = await detectorKit("", testConfig({ maxInFlight: 100_000 }), { script: anomalyScriptPort(client) });
    try {
      await feed(kit.detector, traffic(ALL_AT_ONCE.calls));
      expect(kit.alerts.map((a) => ({ rule: a["rule"], subject: (a["identity"] as { subject: string }).subject }))).toEqual(
        ALL_AT_ONCE.expected,
      );
      expect(await metricValue(kit.registry, "modelgate_anomaly_observations_total", { result: "failed" })).toBe(0);
      const perNode = await Promise.all(client.nodes("master").map((n) => n.dbsize()));
      expect(perNode.filter((n) => n > 0).length).toBeGreaterThan(1);
    } finally {
      await kit.close();
    }
  });
});
