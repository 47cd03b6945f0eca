import type { PolicyResponses } from "../../../src/core/anomaly/policy-responses.ts";
import { Registry } from "prom-client";
import type { AnomalyConfig } from "../../../src/core/anomaly/anomaly-config.ts";
import type { AnomalyResponder, AnomalyTarget } from "../../../src/core/anomaly/responder.ts";
import type { AuditEvent } from "../../../src/core/audit/event.ts";
import { AnomalyDetector } from "../../../src/adapters/anomaly/anomaly-detector.ts";
import { registerAnomalyMetrics } from "../../../src/adapters/anomaly/anomaly-metrics.ts";
import { connectAnomalyRedis, type AnomalyScriptPort } from "../../../src/adapters/anomaly/anomaly-redis.ts";
import type { TrafficEvent } from "../../core/anomaly/patterns.ts";

// An online detector wired to a real Redis, recording what it would send to the audit log and
// to the limiter.

export interface ResponderCall {
  readonly action: "block" | "lower-limits";
  readonly target: AnomalyTarget;
  readonly factor: number;
  readonly periodMs: number;
}

export class RecordingResponder implements AnomalyResponder {
  readonly calls: ResponderCall[] = [];
  fail = false;

  block(target: AnomalyTarget, periodMs: number): Promise<void> {
    this.calls.push({ action: "block", target, factor: 1, periodMs });
    return this.fail ? Promise.reject(new Error("limiter unavailable")) : Promise.resolve();
  }

  lowerLimits(target: AnomalyTarget, factor: number, periodMs: number): Promise<void> {
    this.calls.push({ action: "lower-limits", target, factor, periodMs });
    return this.fail ? Promise.reject(new Error("limiter unavailable")) : Promise.resolve();
  }
}

export interface DetectorKit {
  readonly detector: AnomalyDetector;
  readonly alerts: AuditEvent[];
  readonly errors: string[];
  readonly responder: RecordingResponder;
  readonly registry: Registry;
  readonly script: AnomalyScriptPort;
  close(): Promise<void>;
}

export interface KitOptions {
  readonly errorLogIntervalMs?: number;
  readonly now?: () => number;
  readonly script?: AnomalyScriptPort; // instead of a standalone client for `url`
  readonly policyResponses?: PolicyResponses; // the serving policies' spec.anomaly
  readonly joinsOutcomes?: boolean; // default true: the tests feed outcomes
}

export async function detectorKit(url: string, config: AnomalyConfig, options: KitOptions = {}): Promise<DetectorKit> {
  const port =
    options.script ?? (await connectAnomalyRedis(url, { timeoutMs: config.redis.timeoutMs, readyMs: 2000, onError: () => undefined }));
  const alerts: AuditEvent[] = [];
  const errors: string[] = [];
  const responder = new RecordingResponder();
  const registry = new Registry();
  const detector = new AnomalyDetector({
    config,
    script: port,
    rendering: { subjects: "plain", hmacKey: undefined },
    record: (e) => void alerts.push(e),
    responder,
    policyResponses: options.policyResponses ?? (() => undefined),
    joinsOutcomes: options.joinsOutcomes ?? true,
    metrics: registerAnomalyMetrics(registry),
    now: options.now ?? Date.now,
    onError: (m) => void errors.push(m),
    errorLogIntervalMs: options.errorLogIntervalMs ?? 0,
  });
  return { detector, alerts, errors, responder, registry, script: port, close: () => port.close() };
}

// In order; the client keeps one connection, so Redis runs the scripts in this order too.
export async function feed(detector: AnomalyDetector, events: readonly TrafficEvent[], settleEvery = 500): Promise<void> {
  for (const [i, e] of events.entries()) {
    if (e.kind === "decision") detector.observeDecision(e.decision);
    else detector.observeOutcome(e.requestId, e.code);
    if (i % settleEvery === settleEvery - 1) await detector.settled();
  }
  await detector.settled();
}

export async function metricValue(registry: Registry, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const sample = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return sample?.value ?? 0;
}

// The alert without what depends on when it was raised.
export function alertFacts(e: AuditEvent): unknown {
  const { time: _time, response, ...rest } = e as AuditEvent & { response: Record<string, unknown> };
  const { until: _until, ...r } = response;
  return { ...rest, response: r };
}
