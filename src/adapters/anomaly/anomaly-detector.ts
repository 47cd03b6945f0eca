import type { AnomalyConfig } from "../../core/anomaly/anomaly-config.ts";
import { planFor, planIsEmpty } from "../../core/anomaly/anomaly-plan.ts";
import { findingOf, type AnomalyFinding } from "../../core/anomaly/finding.ts";
import { NO_POLICY_RESPONSES, type PolicyResponses } from "../../core/anomaly/policy-responses.ts";
import { observeDecision, outcomeObservation, type AnomalyObservation, type IdentityRendering } from "../../core/anomaly/observation.ts";
import { PendingDecisions } from "../../core/anomaly/pending-decisions.ts";
import type { AnomalyResponder } from "../../core/anomaly/responder.ts";
import { statusMatches } from "../../core/anomaly/status-pattern.ts";
import { anomalyEvent } from "../../core/audit/anomaly-record.ts";
import type { AuditEvent } from "../../core/audit/event.ts";
import type { Decision } from "../../core/decision.ts";
import type { Identity } from "../../core/identity/identity.ts";
import type { AnomalyMetrics } from "./anomaly-metrics.ts";
import type { AnomalyScriptPort } from "./anomaly-redis.ts";
import { decodeReply, encodePlan } from "./anomaly-script-codec.ts";

// Online anomaly detection, off the hot path. `observeDecision` returns at once: the Redis
// script runs in the background and, when a rule fires and this replica wins its cooldown,
// the alert goes to the audit log, the metric and the responder. Detection is best effort:
// when more than maxInFlight calls are outstanding, or Redis fails, the observation is dropped
// and counted. This is the one place in modelgate where dropping is acceptable, because the
// decision itself is already answered and its audit record is never dropped — an operator can
// always rerun the rules with `modelgate audit analyze`.

export interface AnomalyDetectorOptions {
  readonly config: AnomalyConfig;
  readonly script: AnomalyScriptPort;
  readonly rendering: IdentityRendering; // as the audit log renders subjects (audit.subjects)
  readonly record: (event: AuditEvent) => void; // the audit writer
  readonly responder: AnomalyResponder;
  readonly policyResponses?: PolicyResponses; // the serving policies' spec.anomaly; none when absent
  // Whether the model's answers reach observeOutcome (Envoy's access log: audit.outcomes). Without
  // them no allowed decision is kept for the join: none would ever be taken back out.
  readonly joinsOutcomes: boolean;
  readonly metrics: AnomalyMetrics;
  readonly now: () => number;
  readonly onError: (message: string, error: unknown) => void;
  readonly errorLogIntervalMs?: number; // at most one Redis error logged per interval (default 10 s)
}

interface Observed {
  readonly obs: AnomalyObservation;
  readonly identity: Identity;
}

export class AnomalyDetector {
  readonly #o: AnomalyDetectorOptions;
  readonly #pending: PendingDecisions<Observed>;
  readonly #countsErrors: boolean;
  #inFlight = 0;
  #idle: (() => void)[] = [];
  #lastErrorLog = Number.NEGATIVE_INFINITY;
  #suppressed = 0;
  #evicted = 0;

  constructor(options: AnomalyDetectorOptions) {
    this.#o = options;
    const { outcomes, rules } = options.config;
    this.#pending = new PendingDecisions(outcomes.maxPending, outcomes.waitMs);
    this.#countsErrors = options.joinsOutcomes && rules.probing.enabled && rules.probing.errorStatuses.length > 0;
    options.metrics.watch({ inFlight: () => this.#inFlight, pendingOutcomes: () => this.#pending.size });
  }

  // Returns at once: even the observation is built after the caller has moved on.
  observeDecision(decision: Decision): void {
    const identity = decision.identity;
    if (identity === undefined) return;
    this.#send(() => {
      const { rendering, config } = this.#o;
      const obs = observeDecision(decision, rendering, config.rules.probing.denialStatuses);
      if (obs === undefined) return undefined;
      if (this.#countsErrors && decision.allowed) this.#notePending(decision.requestId, { obs, identity });
      return { obs, identity };
    });
  }

  // The model's answer to an allowed request (Envoy's access log), joined by request id. In the
  // same queue as decisions, so it is matched after the decisions observed before it.
  observeOutcome(requestId: string, responseCode: number | undefined): void {
    if (!this.#countsErrors) return;
    this.#send(() => {
      const pending = this.#pending.take(requestId, this.#o.now());
      if (pending === undefined || responseCode === undefined) return undefined;
      if (!statusMatches(this.#o.config.rules.probing.errorStatuses, responseCode)) return undefined;
      return { obs: outcomeObservation(pending.obs), identity: pending.identity };
    });
  }

  inFlight(): number {
    return this.#inFlight;
  }

  // Resolves when no script call is outstanding (shutdown, tests).
  settled(): Promise<void> {
    return this.#inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  #notePending(requestId: string, value: Observed): void {
    this.#pending.note(requestId, value, this.#o.now());
    if (this.#pending.evicted > this.#evicted) {
      this.#o.metrics.pendingEvicted(this.#pending.evicted - this.#evicted);
      this.#evicted = this.#pending.evicted;
    }
  }

  #send(observe: () => Observed | undefined): void {
    if (this.#inFlight >= this.#o.config.maxInFlight) return this.#o.metrics.observation("dropped");
    this.#inFlight += 1;
    Promise.resolve()
      .then(() => this.#evaluate(observe()))
      .catch((error: unknown) => this.#o.onError("bug: anomaly detection failed", error))
      .finally(() => this.#done());
  }

  async #evaluate(observed: Observed | undefined): Promise<void> {
    if (observed === undefined) return;
    const plan = planFor(observed.obs, this.#o.config);
    if (planIsEmpty(plan)) return;
    let reply: unknown;
    try {
      reply = await this.#o.script.run(encodePlan(plan));
    } catch (error: unknown) {
      return this.#failed("the anomaly script failed", error);
    }
    this.#settle(reply, observed);
  }

  #settle(reply: unknown, observed: Observed): void {
    const firings = decodeReply(reply);
    if (firings === undefined) return this.#failed("unexpected anomaly script reply", JSON.stringify(reply).slice(0, 200));
    this.#o.metrics.observation("evaluated");
    for (const raw of firings)
      this.#alert(findingOf(raw, observed.obs, this.#o.config, this.#o.policyResponses ?? NO_POLICY_RESPONSES), observed.identity);
  }

  #alert(finding: AnomalyFinding, identity: Identity): void {
    const { record, metrics, responder, now } = this.#o;
    record(anomalyEvent(finding, now()));
    const { action, periodMs, limitFactor } = finding.response;
    metrics.alert(finding.rule, action);
    if (action === "alert") return;
    const target = { rule: finding.rule, identity, policy: finding.policy, decisionId: finding.decisionId };
    const applied = action === "block" ? responder.block(target, periodMs) : responder.lowerLimits(target, limitFactor, periodMs);
    applied.catch((error: unknown) => {
      metrics.responseFailed(action);
      this.#o.onError(`the anomaly response ${action} for rule ${finding.rule} could not be applied`, error);
    });
  }

  #failed(message: string, error: unknown): void {
    this.#o.metrics.observation("failed");
    const now = this.#o.now();
    if (now - this.#lastErrorLog < (this.#o.errorLogIntervalMs ?? 10_000)) {
      this.#suppressed += 1;
      return;
    }
    this.#lastErrorLog = now;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    this.#o.onError(suppressed > 0 ? `${message} (and ${suppressed} more since the last report)` : message, error);
  }

  #done(): void {
    this.#inFlight -= 1;
    if (this.#inFlight > 0) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}
