import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Outcome } from "./admission-review.ts";

// modelgate_webhook_*: requests by result, pods injected, refusals by the annotation at
// fault, and how long an answer took. Labels are closed sets.

export interface WebhookMetrics {
  readonly registry: Registry;
  record(outcome: Outcome, seconds: number): void;
  tlsReloaded(ok: boolean): void;
}

export function createWebhookMetrics(): WebhookMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "modelgate_webhook_" });
  const requests = new Counter({
    name: "modelgate_webhook_requests_total",
    help: "AdmissionReview requests by result",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const injected = new Counter({
    name: "modelgate_webhook_injected_total",
    help: "Pods given the modelgate and Envoy sidecars",
    registers: [registry],
  });
  const rejected = new Counter({
    name: "modelgate_webhook_rejected_total",
    help: "Pods refused, by the annotation at fault",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const skipped = new Counter({
    name: "modelgate_webhook_skipped_total",
    help: "Pods left as they are, by why",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "modelgate_webhook_duration_seconds",
    help: "Time to answer one AdmissionReview",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const reloads = new Counter({
    name: "modelgate_webhook_tls_reloads_total",
    help: "Serving certificate reloads by result",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  return {
    registry,
    record(outcome, seconds) {
      requests.inc({ result: outcome.result });
      duration.observe(seconds);
      if (outcome.result === "injected") injected.inc();
      if (outcome.result === "rejected") rejected.inc({ reason: outcome.reason });
      if (outcome.result === "skipped") skipped.inc({ reason: outcome.reason });
    },
    tlsReloaded: (ok) => reloads.inc({ result: ok ? "ok" : "error" }),
  };
}
