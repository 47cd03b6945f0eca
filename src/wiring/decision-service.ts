import { AUDIT_UNAVAILABLE_DETAIL } from "../core/audit/audit-fail-mode.ts";
import type { CheckPorts } from "../core/check-ports.ts";
import { decide, denialWithoutContext } from "../core/decide.ts";
import type { DecisionService } from "../core/decision-service.ts";
import type { AnomalyDetector } from "../adapters/anomaly/anomaly-detector.ts";
import type { AuditRecorder } from "../adapters/audit/audit-recorder.ts";
import type { Logger } from "../adapters/log/json-logger.ts";
import type { Metrics } from "../adapters/metrics/metrics.ts";
import { logDecision } from "./decision-log.ts";

// The decision service the Check handler calls: the pipeline (core/decide.ts) and, hung off one
// step, everything each decision is recorded by. A new per-decision side effect goes into
// `record` here.

export interface DecisionServiceParts {
  readonly ports: CheckPorts;
  readonly audit: AuditRecorder;
  readonly anomaly: AnomalyDetector | undefined;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly newId: () => string;
}

export function createDecisionService(parts: DecisionServiceParts): DecisionService {
  const { ports, audit, anomaly, metrics, logger } = parts;
  const deny: DecisionService["deny"] = (reason, detail) => denialWithoutContext(reason, detail, parts.newId(), parts.now());
  return {
    admit: () => (audit.admits() ? undefined : deny("audit_unavailable", AUDIT_UNAVAILABLE_DETAIL)),
    decide: (request, cancel) => {
      try {
        return decide(request, ports, cancel);
      } catch (error) {
        // A bug: the transport answers internal_error, as for a pipeline that rejected.
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    deny,
    record: (decision, durationMs, answer) => {
      const answered = audit.record(decision, decision.request, durationMs);
      answer(answered);
      anomaly?.observeDecision(answered);
      metrics.recordDecision(answered, durationMs);
      logDecision(logger, answered, durationMs);
    },
    failed: (error) => logger.error("decision failed", { error }),
  };
}
