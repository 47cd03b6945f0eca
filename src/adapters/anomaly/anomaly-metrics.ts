import { Counter, Gauge, type Registry } from "prom-client";
import type { AnomalyAction, AnomalyRule } from "../../core/anomaly/rules.ts";

// Anomaly metrics. Labels are closed sets (rule, response, result): never an identity, key,
// model or address — the alert's audit record says who.

// evaluated: the script ran; dropped: too many calls in flight, not sent; failed: Redis error,
// timeout or an unexpected reply. Dropping is counted, never silent.
export type ObservationResult = "evaluated" | "dropped" | "failed";

export interface AnomalyGaugeSource {
  inFlight(): number;
  pendingOutcomes(): number;
}

export interface AnomalyMetrics {
  alert(rule: AnomalyRule, response: AnomalyAction): void;
  observation(result: ObservationResult): void;
  responseFailed(response: AnomalyAction): void;
  pendingEvicted(count: number): void;
  watch(source: AnomalyGaugeSource): void;
}

export function registerAnomalyMetrics(registry: Registry): AnomalyMetrics {
  const registers = [registry];
  const anomalies = new Counter({
    name: "modelgate_anomalies_total",
    help: "Anomaly alerts raised (one per identity, rule and cooldown across all replicas), by rule and response",
    labelNames: ["rule", "response"] as const,
    registers,
  });
  const observations = new Counter({
    name: "modelgate_anomaly_observations_total",
    help: "Decisions and model errors offered to anomaly detection, by result",
    labelNames: ["result"] as const,
    registers,
  });
  const responseFailures = new Counter({
    name: "modelgate_anomaly_response_failures_total",
    help: "Blocks or limit reductions the limiter could not apply",
    labelNames: ["response"] as const,
    registers,
  });
  const evicted = new Counter({
    name: "modelgate_anomaly_pending_evicted_total",
    help: "Allowed decisions forgotten before their model response arrived (pending table full)",
    registers,
  });
  let source: AnomalyGaugeSource | undefined;
  new Gauge({
    name: "modelgate_anomaly_in_flight",
    help: "Anomaly script calls waiting for Redis",
    registers,
    collect() {
      this.set(source?.inFlight() ?? 0);
    },
  });
  new Gauge({
    name: "modelgate_anomaly_pending_outcomes",
    help: "Allowed decisions waiting for their model response",
    registers,
    collect() {
      this.set(source?.pendingOutcomes() ?? 0);
    },
  });
  return {
    alert: (rule, response) => anomalies.inc({ rule, response }),
    observation: (result) => observations.inc({ result }),
    responseFailed: (response) => responseFailures.inc({ response }),
    pendingEvicted: (count) => evicted.inc(count),
    watch: (s) => {
      source = s;
    },
  };
}
