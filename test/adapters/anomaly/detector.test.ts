import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AnomalyAnalyzer } from "../../../src/core/anomaly/anomaly-analyzer.ts";
import type { AnomalyConfig } from "../../../src/core/anomaly/anomaly-config.ts";
import { anomalyEvent } from "../../../src/core/audit/anomaly-record.ts";
import { parseAuditLine } from "../../../src/core/audit/parse-record.ts";
import { startRedis, type RedisProcess } from "../../integration/helpers/redis-server.ts";
import { ALL_AT_ONCE, SCENARIOS, person, T0, testConfig, traffic, decisionOf, type Scenario } from "../../core/anomaly/patterns.ts";
import { auditEventsOf, sealAll } from "../../core/anomaly/records.ts";
import { alertFacts, detectorKit, feed, metricValue } from "./helpers.ts";

// The online detector against a real redis-server: the same crafted traffic as the offline
// tests, the same alerts — and Redis trouble never reaches the caller.

let redis: RedisProcess;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis.stop();
});

beforeEach(async () => {
  await redis.admin().flushall();
});

function offline(s: Scenario, config: AnomalyConfig): unknown[] {
  const analyzer = new AnomalyAnalyzer(config);
  return sealAll(auditEventsOf(traffic(s.calls)), "pod-a@2026-11-01T00:00:00.000Z").flatMap((r) => {
    const p = parseAuditLine(r.line);
    return p.ok ? analyzer.record(p.value.type, p.value.object).map((f) => alertFacts(anomalyEvent(f, 0))) : [];
  });
}

const summary = (alerts: readonly unknown[]) =>
  alerts.map((a) => {
    const x = a as { rule: string; identity: { subject: string } };
    return { rule: x.rule, subject: x.identity.subject };
  });

describe("online anomaly detection", () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))("%s", async (_name, s) => {
    // A generous script deadline: this test compares alerts, and a loaded CI machine can hold a
    // burst of script calls past the production 250 ms (timeouts are tested on their own).
    const config = testConfig({ maxInFlight: 100_000, redis: { url: "redis://127.0.0.1:6379", timeoutMs: 10_000 } });
    const kit = await detectorKit(redis.url, config);
    try {
      await feed(kit.detector, traffic(s.calls));
      expect(summary(kit.alerts)).toEqual(s.expected);
      expect(kit.alerts.map(alertFacts)).toEqual(offline(s, config));
      for (const e of s.expected)
        expect(await metricValue(kit.registry, "modelgate_anomalies_total", { rule: e.rule, response: "alert" })).toBe(1);
      expect(await metricValue(kit.registry, "modelgate_anomaly_observations_total", { result: "failed" })).toBe(0);
      expect(kit.errors).toEqual([]);
    } finally {
      await kit.close();
    }
  });

  it("applies the chosen response once, to the real identity, through the responder", async () => {
    const config = testConfig({
      maxInFlight: 100_000,
      rules: { volume: { response: "block", period: "20m" }, probing: { response: "lower-limits", limitFactor: 0.2, period: "1h" } },
    });
    // The policy ml/models chooses `block` for sharing in its spec.anomaly.
    const kit = await detectorKit(redis.url, config, {
      policyResponses: (ref) => (ref.namespace === "ml" && ref.name === "models" ? { sharing: "block" } : undefined),
    });
    try {
      await feed(kit.detector, traffic(ALL_AT_ONCE.calls));
      const calls = kit.responder.calls.map((c) => ({
        action: c.action,
        rule: c.target.rule,
        subject: c.target.identity.subject,
        factor: c.factor,
        periodMs: c.periodMs,
        policy: c.target.policy?.name,
      }));
      expect(calls).toEqual([
        { action: "block", rule: "volume", subject: "mallory@example.com", factor: 1, periodMs: 1_200_000, policy: "models" },
        { action: "lower-limits", rule: "probing", subject: "trudy@example.com", factor: 0.2, periodMs: 3_600_000, policy: "models" },
        { action: "block", rule: "sharing", subject: "oscar@example.com", factor: 1, periodMs: 900_000, policy: "models" },
      ]);
      const sharing = kit.alerts.find((a) => a["rule"] === "sharing");
      expect(sharing?.["response"]).toMatchObject({ action: "block", period_ms: 900_000 });
      expect(await metricValue(kit.registry, "modelgate_anomalies_total", { rule: "volume", response: "block" })).toBe(1);
      expect(await metricValue(kit.registry, "modelgate_anomalies_total", { rule: "reconnaissance", response: "alert" })).toBe(1);
    } finally {
      await kit.close();
    }
  });

  it("counts a response the limiter could not apply", async () => {
    const kit = await detectorKit(redis.url, testConfig({ maxInFlight: 100_000, rules: { reconnaissance: { response: "block" } } }));
    kit.responder.fail = true;
    try {
      await feed(kit.detector, traffic(SCENARIOS.find((s) => s.name === "reconnaissance")?.calls ?? []));
      await new Promise((r) => setTimeout(r, 10));
      expect(await metricValue(kit.registry, "modelgate_anomaly_response_failures_total", { response: "block" })).toBe(1);
      expect(kit.errors).toEqual([expect.stringContaining("block for rule reconnaissance")]);
      expect(kit.alerts).toHaveLength(1); // the alert is recorded whatever the limiter does
    } finally {
      await kit.close();
    }
  });

  it("keeps only digests in Redis, every key of an identity in its hash slot, every key expiring", async () => {
    const kit = await detectorKit(redis.url, testConfig({ maxInFlight: 100_000 }));
    try {
      await feed(kit.detector, traffic(ALL_AT_ONCE.calls.filter((c) => c.at < T0 + 95 * 60_000 && c.at > T0 + 70 * 60_000)));
      const admin = redis.admin();
      const keys = await admin.keys("*");
      expect(keys.length).toBeGreaterThan(10);
      for (const key of keys) {
        expect(key).toMatch(
          /^mg:an:\{[A-Za-z0-9_-]{22}\}:(v|p:\d+|r:\d+|s:[A-Za-z0-9_-]{22}:\d+|c:(volume|probing|reconnaissance|sharing))$/,
        );
        expect(await admin.pttl(key)).toBeGreaterThan(0);
        for (const set of key.includes(":r:") || key.includes(":s:") ? await admin.smembers(key) : [])
          expect(set).toMatch(/^[A-Za-z0-9_-]{22}$/);
      }
      expect(keys.join(" ")).not.toMatch(/example|fraud|203\.0|10\.1/);
    } finally {
      await kit.close();
    }
  });
});

describe("allowed decisions kept for the outcome join", () => {
  // Decisions only (no outcome ever arrives), as a server without audit.outcomes sees them.
  const decisionsOnly = () => traffic(ALL_AT_ONCE.calls.slice(0, 200)).filter((e) => e.kind === "decision");

  it.each([
    ["with Envoy's access log (audit.outcomes)", true],
    ["without it: nothing would ever take them back out", false],
  ])("%s", async (_name, joinsOutcomes) => {
    const kit = await detectorKit(redis.url, testConfig({ maxInFlight: 100_000 }), { joinsOutcomes });
    try {
      const events = decisionsOnly();
      await feed(kit.detector, events);
      const allowed = events.filter((e) => e.kind === "decision" && e.decision.allowed).length;
      expect(allowed).toBeGreaterThan(50);
      expect(await metricValue(kit.registry, "modelgate_anomaly_pending_outcomes")).toBe(joinsOutcomes ? allowed : 0);
      expect(await metricValue(kit.registry, "modelgate_anomaly_observations_total", { result: "evaluated" })).toBe(events.length);
    } finally {
      await kit.close();
    }
  });
});

describe("when Redis is in trouble", () => {
  const call = (i: number) => decisionOf({ who: person("alice"), at: T0 + i, model: "m", address: "10.0.0.1:1" }, i);

  it("never throws or waits, and counts every failed observation", async () => {
    const dead = await startRedis();
    const kit = await detectorKit(dead.url, testConfig({ redis: { timeoutMs: 50 } }));
    await dead.kill();
    try {
      const started = performance.now();
      for (let i = 0; i < 50; i += 1) kit.detector.observeDecision(call(i));
      expect(performance.now() - started).toBeLessThan(1000); // generous: no call waited for Redis
      await kit.detector.settled();
      expect(await metricValue(kit.registry, "modelgate_anomaly_observations_total", { result: "failed" })).toBe(50);
      expect(kit.alerts).toEqual([]);
      expect(kit.errors.length).toBeGreaterThan(0);
    } finally {
      await kit.close();
      await dead.stop();
    }
  });

  it("drops observations beyond maxInFlight, counted, while Redis hangs", async () => {
    const hung = await startRedis();
    const kit = await detectorKit(hung.url, testConfig({ maxInFlight: 3, redis: { timeoutMs: 300 } }));
    hung.freeze();
    try {
      for (let i = 0; i < 20; i += 1) kit.detector.observeDecision(call(i));
      expect(kit.detector.inFlight()).toBe(3);
      expect(await metricValue(kit.registry, "modelgate_anomaly_observations_total", { result: "dropped" })).toBe(17);
      expect(await metricValue(kit.registry, "modelgate_anomaly_in_flight")).toBe(3);
      await kit.detector.settled();
      expect(await metricValue(kit.registry, "modelgate_anomaly_observations_total", { result: "failed" })).toBe(3);
    } finally {
      hung.thaw();
      await kit.close();
      await hung.stop();
    }
  });

  it("logs a burst of failures once per interval, with the count", async () => {
    const dead = await startRedis();
    let now = T0;
    const kit = await detectorKit(dead.url, testConfig({ redis: { timeoutMs: 50 } }), { errorLogIntervalMs: 10_000, now: () => now });
    await dead.kill();
    try {
      for (let i = 0; i < 5; i += 1) kit.detector.observeDecision(call(i));
      await kit.detector.settled();
      expect(kit.errors).toEqual(["the anomaly script failed"]);
      now += 10_000;
      kit.detector.observeDecision(call(9));
      await kit.detector.settled();
      expect(kit.errors).toEqual(["the anomaly script failed", "the anomaly script failed (and 4 more since the last report)"]);
    } finally {
      await kit.close();
      await dead.stop();
    }
  });
});
