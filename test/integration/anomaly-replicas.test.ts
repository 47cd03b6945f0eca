import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import type { MetricObjectWithValues, MetricValue } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEvent } from "../../src/core/audit/event.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";
import { ALL_AT_ONCE, TEST_CONFIG_RAW, traffic, type TrafficEvent } from "../core/anomaly/patterns.ts";

// Two modelgate replicas, two processes, one Redis: traffic is spread over both (each request,
// with its model response, goes to one replica, as each Envoy talks to its own sidecar) and
// both run at once on every slice of it. Every attack must raise exactly one alert in total,
// whichever replica sees the decision that tips it over; normal traffic none.

const CHILD = join(import.meta.dirname, "../adapters/anomaly/replica-child.ts");
const SLICE_MS = 15_000; // of decision time per round: how far the replicas may drift apart

let redis: RedisProcess;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis.stop();
});

interface Replica {
  readonly child: ChildProcess;
  next<T>(type: string): Promise<T>;
}

async function startReplica(url: string): Promise<Replica> {
  const config = JSON.stringify({ ...TEST_CONFIG_RAW, redis: { url }, maxInFlight: 100_000 });
  const child = fork(CHILD, [config], { serialization: "advanced", execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = async <T>(type: string): Promise<T> => {
    for (;;) {
      const [message] = (await once(child, "message")) as [{ type: string } & T];
      if (message.type === type) return message;
    }
  };
  await next("ready");
  return { child, next };
}

// Round by round: each replica gets its share of one slice, and both work on it at once.
function slices(events: readonly TrafficEvent[]): [TrafficEvent[], TrafficEvent[]][] {
  const replicaOf = new Map<string, number>();
  const out = new Map<number, [TrafficEvent[], TrafficEvent[]]>();
  let n = 0;
  for (const e of events) {
    const at = e.kind === "decision" ? e.decision.decidedAt : e.at;
    const requestId = e.kind === "decision" ? e.decision.requestId : e.requestId;
    if (!replicaOf.has(requestId)) replicaOf.set(requestId, (n += 1) % 2);
    const slice = Math.floor(at / SLICE_MS);
    const pair = out.get(slice) ?? [[], []];
    pair[replicaOf.get(requestId) ?? 0]?.push(e);
    out.set(slice, pair);
  }
  return [...out.entries()].sort((a, b) => a[0] - b[0]).map(([, pair]) => pair);
}

function total(metrics: readonly MetricObjectWithValues<MetricValue<string>>[], name: string): number {
  return metrics.find((m) => m.name === name)?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
}

describe("anomaly alerts across replicas sharing Redis", () => {
  it("raise exactly one alert per rule and identity, whichever replica decides", async () => {
    const replicas = [await startReplica(redis.url), await startReplica(redis.url)];
    const alerts: AuditEvent[][] = [[], []];
    try {
      for (const pair of slices(traffic(ALL_AT_ONCE.calls))) {
        const done = replicas.map((r) => r.next<{ alerts: AuditEvent[] }>("done"));
        replicas.forEach((r, i) => r.child.send({ type: "batch", events: pair[i] }));
        (await Promise.all(done)).forEach((d, i) => alerts[i]?.push(...d.alerts));
      }
      const stopped = replicas.map((r) => r.next<{ metrics: MetricObjectWithValues<MetricValue<string>>[] }>("stopped"));
      for (const r of replicas) r.child.send({ type: "stop" });
      const metrics = await Promise.all(stopped);

      const all = alerts.flat().map((a) => a as AuditEvent & { rule: string; identity: { subject: string } });
      expect(all.map((a) => ({ rule: a.rule, subject: a.identity.subject })).sort((x, y) => x.rule.localeCompare(y.rule))).toEqual(
        [...ALL_AT_ONCE.expected].sort((x, y) => x.rule.localeCompare(y.rule)),
      );
      // Each replica evaluated its own share (nothing dropped or failed), and the alert counts add up.
      for (const m of metrics) {
        expect(total(m.metrics, "modelgate_anomaly_observations_total")).toBeGreaterThan(1000);
        expect(
          m.metrics
            .find((x) => x.name === "modelgate_anomaly_observations_total")
            ?.values.filter((v) => v.labels["result"] !== "evaluated"),
        ).toEqual([]);
      }
      expect(metrics.reduce((sum, m) => sum + total(m.metrics, "modelgate_anomalies_total"), 0)).toBe(ALL_AT_ONCE.expected.length);
    } finally {
      for (const r of replicas) if (r.child.exitCode === null) r.child.kill("SIGKILL");
    }
  });
});
