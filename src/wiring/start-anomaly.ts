import type { Registry } from "prom-client";
import type { AnomalyConfig } from "../core/anomaly/anomaly-config.ts";
import type { IdentityRendering } from "../core/anomaly/observation.ts";
import type { AnomalyResponder } from "../core/anomaly/responder.ts";
import type { PolicyResponses } from "../core/anomaly/policy-responses.ts";
import type { AuditEvent } from "../core/audit/event.ts";
import type { Logger } from "../adapters/log/json-logger.ts";
import { AnomalyDetector } from "../adapters/anomaly/anomaly-detector.ts";
import { registerAnomalyMetrics } from "../adapters/anomaly/anomaly-metrics.ts";
import { connectAnomalyRedis, type AnomalyScriptPort } from "../adapters/anomaly/anomaly-redis.ts";

// Builds online anomaly detection from its configuration, for the server (start-server.ts). Redis is
// not required to be up at start: detection is best effort, and failed observations are counted.

export interface AnomalyStartDeps {
  readonly registry: Registry;
  readonly logger: Logger;
  readonly now: () => number;
  readonly record: (event: AuditEvent) => void; // e.g. (e) => audit.writer.record(e)
  readonly responder: AnomalyResponder;
  readonly policyResponses: PolicyResponses; // the serving policies' spec.anomaly choices
  readonly rendering: IdentityRendering; // { subjects: audit.subjects, hmacKey: the audit HMAC key }
  readonly joinsOutcomes: boolean; // audit.outcomes.enabled: Envoy's access log reaches the detector
  readonly script?: AnomalyScriptPort; // an existing connection (e.g. the limiter's client); else one is made from redis.url
}

export interface AnomalyRuntime {
  readonly detector: AnomalyDetector;
  close(timeoutMs: number): Promise<void>;
}

const READY_MS = 2000;

// undefined when anomaly detection is disabled.
export async function startAnomalyDetection(config: AnomalyConfig, deps: AnomalyStartDeps): Promise<AnomalyRuntime | undefined> {
  if (!config.enabled) return undefined;
  const script =
    deps.script ??
    (await connectAnomalyRedis(config.redis.url, {
      timeoutMs: config.redis.timeoutMs,
      readyMs: READY_MS,
      onError: (error) => deps.logger.debug("anomaly redis connection error", { error: error.message }),
    }));
  const detector = new AnomalyDetector({
    config,
    script,
    rendering: deps.rendering,
    record: deps.record,
    responder: deps.responder,
    policyResponses: deps.policyResponses,
    joinsOutcomes: deps.joinsOutcomes,
    metrics: registerAnomalyMetrics(deps.registry),
    now: deps.now,
    onError: (message, error) => deps.logger.warn(message, { error: error instanceof Error ? error.message : String(error) }),
  });
  deps.logger.info("anomaly detection started", {
    rules: Object.entries(config.rules)
      .filter(([, r]) => r.enabled)
      .map(([name]) => name),
  });
  return {
    detector,
    close: async (timeoutMs) => {
      await Promise.race([detector.settled(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
      if (deps.script === undefined) await script.close();
    },
  };
}
