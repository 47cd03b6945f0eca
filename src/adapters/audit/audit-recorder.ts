import type { AuditConfig } from "../../core/audit/audit-config.ts";
import type { AuditEvent } from "../../core/audit/event.ts";
import type { AuditHmacKey } from "../../core/audit/input-hmac.ts";
import type { OutcomeJoin } from "../../core/audit/outcome-join.ts";
import type { AccessOutcome } from "../../core/audit/outcome-record.ts";
import { answerUnrecorded } from "../../core/audit/audit-fail-mode.ts";
import { auditInputOf, buildAuditRecord } from "../../core/audit/record.ts";
import type { Decision } from "../../core/decision.ts";
import type { NormalizedRequest } from "../../core/request/normalized-request.ts";
import type { AuditMetrics } from "./audit-metrics.ts";
import type { AuditWriter } from "./audit-writer.ts";

// Where the pipeline meets the audit log. An allowed decision is answered as allowed only once
// its record is accepted into the writer's bounded buffer; what happens otherwise is the fail
// mode's (core/audit/audit-fail-mode.ts), counted by modelgate_audit_fail_mode_total.
//
// Use: `admits()` before running the pipeline (deny early, so nothing is charged to a limit),
// then `record(...)` with the pipeline's decision, answering with the decision it returns.

export interface AuditRecorderOptions {
  readonly writer: AuditWriter;
  readonly hmacKey: AuditHmacKey;
  readonly subjects: AuditConfig["subjects"];
  readonly failMode: AuditConfig["failMode"];
  readonly metrics: AuditMetrics;
  readonly now: () => number;
  readonly outcomes: OutcomeJoin | undefined; // present when the Access Log Service join is on
}

export class AuditRecorder {
  readonly options: AuditRecorderOptions;

  constructor(options: AuditRecorderOptions) {
    this.options = options;
  }

  // False when an allowed decision could not be recorded now and failMode is closed.
  admits(): boolean {
    return this.options.failMode === "open" || this.options.writer.canAccept();
  }

  // The decision to answer with: `decision` itself, or its audit_unavailable replacement.
  record(decision: Decision, request: NormalizedRequest | undefined, durationMs: number): Decision {
    const { writer, failMode, metrics } = this.options;
    // With failMode closed a full buffer refuses an allow without trying to record it.
    const refusedEarly = decision.allowed && failMode === "closed" && !writer.canAccept();
    if (!refusedEarly && this.keep(decision, request, durationMs)) return decision;
    const { answer, failed } = answerUnrecorded(decision, failMode);
    if (failed === "open") metrics.failedOpen();
    if (failed === "closed") {
      metrics.failedClosed();
      this.keep(answer, request, durationMs);
    }
    return answer;
  }

  // An outcome from Envoy's access log, joined to its decision.
  recordOutcome(outcome: AccessOutcome): void {
    const join = this.options.outcomes;
    if (join === undefined) return;
    const event = join.matchOutcome(outcome, this.options.now());
    this.options.metrics.outcome(event.type === "outcome" ? "joined" : "decision_missing");
    this.options.writer.record(event);
  }

  // Marks decisions whose outcome did not arrive in time; call it every second or so.
  expireOutcomes(): void {
    this.recordMissing(this.options.outcomes?.expire(this.options.now()) ?? []);
  }

  // Before closing the writer: every decision still waiting is marked.
  drainOutcomes(): void {
    this.recordMissing(this.options.outcomes?.drain(this.options.now()) ?? []);
  }

  private keep(decision: Decision, request: NormalizedRequest | undefined, durationMs: number): boolean {
    const { hmacKey, subjects, now, writer, outcomes } = this.options;
    const event = buildAuditRecord(auditInputOf(decision, request, durationMs), hmacKey, now(), { subjects });
    if (writer.record(event) !== "accepted") return false;
    if (outcomes !== undefined) {
      const pending = { decisionId: decision.id, requestId: decision.requestId, allowed: decision.allowed, decidedAt: decision.decidedAt };
      this.recordMissing(outcomes.noteDecision(pending, now()));
    }
    return true;
  }

  private recordMissing(events: readonly AuditEvent[]): void {
    for (const event of events) {
      this.options.metrics.outcome("outcome_missing");
      this.options.writer.record(event);
    }
  }
}
