import type { AuditConfig } from "../../core/audit/audit-config.ts";
import type { AuditEvent } from "../../core/audit/event.ts";
import type { AuditHmacKey } from "../../core/audit/input-hmac.ts";
import type { OutcomeJoin } from "../../core/audit/outcome-join.ts";
import type { AccessOutcome } from "../../core/audit/outcome-record.ts";
import { auditInputOf, buildAuditRecord } from "../../core/audit/record.ts";
import type { Decision } from "../../core/decision.ts";
import type { NormalizedRequest } from "../../core/request/normalized-request.ts";
import type { AuditMetrics } from "./audit-metrics.ts";
import type { AuditWriter } from "./audit-writer.ts";

// Where the pipeline meets the audit log. Vault's rule (security.md anchor 7): an allowed
// decision is answered as allowed only once its record is accepted into the writer's bounded
// buffer; otherwise, with failMode "closed", it becomes a 503 `audit_unavailable` (itself
// recorded when the buffer still has room). With failMode "open" it stays allowed, and
// modelgate_audit_fail_mode_total{mode="open"} counts it.
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

export const AUDIT_UNAVAILABLE_DETAIL = "the audit log cannot record decisions right now";

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
    const { writer, failMode } = this.options;
    if (decision.allowed && failMode === "closed" && !writer.canAccept()) return this.refuse(decision, request, durationMs);
    if (this.keep(decision, request, durationMs)) return decision;
    if (!decision.allowed) return decision; // counted by the writer as rejected
    if (failMode === "open") {
      this.options.metrics.failedOpen();
      return decision;
    }
    return this.refuse(decision, request, durationMs);
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

  private refuse(decision: Decision & { allowed: true }, request: NormalizedRequest | undefined, durationMs: number): Decision {
    const { credentialHeaders: _headers, allowed: _allowed, reason: _reason, ...facts } = decision;
    const denial: Decision = {
      ...facts,
      allowed: false,
      reason: "audit_unavailable",
      detail: AUDIT_UNAVAILABLE_DETAIL,
      challenge: undefined,
    };
    this.options.metrics.failedClosed();
    this.keep(denial, request, durationMs);
    return denial;
  }

  private recordMissing(events: readonly AuditEvent[]): void {
    for (const event of events) {
      this.options.metrics.outcome("outcome_missing");
      this.options.writer.record(event);
    }
  }
}
