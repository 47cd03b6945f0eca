import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Decision, RateLimitOutcome } from "../../core/decision.ts";
import { talliedCounter } from "./tallied-counter.ts";

// One registry per process, built in the wiring room (src/wiring/). Labels are closed sets only
// (decision, reason, auth method, limiter mode): never an identity, key, model or address.

export interface Metrics {
  readonly registry: Registry;
  recordDecision(decision: Decision, durationMs: number): void;
  sourceLoaded(kind: string, count: number): void;
  sourceRejected(kind: string): void;
  // Serving (true from start-up until shutdown) and, at each scrape, what /readyz would say.
  setReady(serving: boolean, readiness?: () => boolean): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "modelgate_" });
  const decisionCounter = talliedCounter({
    name: "modelgate_decisions_total",
    help: "Check decisions by outcome and reason code",
    labelNames: ["decision", "reason", "auth_method"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "modelgate_decision_duration_seconds",
    help: "Time from receiving a Check to answering it",
    labelNames: ["decision"] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [registry],
  });
  const limiterCounter = talliedCounter({
    name: "modelgate_limiter_decisions_total",
    help: "Rate-limit verdicts by limiter mode and result",
    labelNames: ["mode", "result"] as const,
    registers: [registry],
  });
  const loadedItems = new Gauge({
    name: "modelgate_source_items",
    help: "Items served from each source: policies, apikeys, ca-bundle certificates",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  const loadErrors = new Counter({
    name: "modelgate_source_load_errors_total",
    help: "Rejected loads of a source (the last good version keeps serving)",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  let serving = false;
  let probe: () => boolean = () => true;
  new Gauge({
    name: "modelgate_ready",
    help: "1 when Check is served and /readyz answers 200 (policies loaded, Redis reached, audit accepting)",
    registers: [registry],
    collect() {
      this.set(serving && probe() ? 1 : 0);
    },
  });

  // The histogram's label sets are bound once, so no label object is built per call (prom-client
  // still hashes the bound labels on each observe); the counters are tallied (tallied-counter.ts).
  const durationOf = { allow: duration.labels("allow"), deny: duration.labels("deny") };

  return {
    registry,
    recordDecision(decision, durationMs) {
      const outcome = decision.allowed ? "allow" : "deny";
      decisionCounter(`${outcome}|${decision.reason}|${decision.identity?.method ?? "none"}`).count += 1;
      durationOf[outcome].observe(durationMs / 1000);
      const rl = decision.rateLimit;
      if (rl !== undefined) limiterCounter(`${rl.mode}|${limiterResult(rl)}`).count += 1;
    },
    sourceLoaded: (kind, count) => loadedItems.set({ kind }, count),
    sourceRejected: (kind) => loadErrors.inc({ kind }),
    setReady: (on, readiness) => {
      serving = on;
      if (readiness !== undefined) probe = readiness;
    },
  };
}

function limiterResult(rl: RateLimitOutcome): string {
  if (rl.anomalyBlock === true) return "anomaly_block";
  if (rl.penaltyBox === true) return "penalty_box";
  return rl.violated.length > 0 ? "limited" : "allowed";
}
