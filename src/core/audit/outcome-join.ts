import type { AuditEvent } from "./event.ts";
import {
  decisionMissingEvent,
  outcomeEvent,
  outcomeMissingEvent,
  type AccessOutcome,
  type MissingCause,
  type PendingDecision,
} from "./outcome-record.ts";

// Joins Envoy access-log entries to decisions by request id (x-request-id). The map of
// decisions waiting for an outcome is bounded in size and age: a decision whose outcome does
// not arrive within `waitMs` (or that is pushed out by `maxPending` newer ones) becomes an
// "outcome_missing" event; an outcome with no waiting decision becomes "decision_missing".

export interface OutcomeJoinOptions {
  readonly waitMs: number;
  readonly maxPending: number;
}

// A client may reuse a request id (Envoy keeps an inbound x-request-id unless told otherwise);
// a few decisions per id are kept, matched oldest first.
const MAX_PER_REQUEST_ID = 4;

export class OutcomeJoin {
  readonly options: OutcomeJoinOptions;
  // Insertion order is roughly decision order: a key whose oldest entry leaves is re-inserted.
  private readonly pending = new Map<string, PendingDecision[]>();
  private count = 0;

  constructor(options: OutcomeJoinOptions) {
    this.options = options;
  }

  get size(): number {
    return this.count;
  }

  noteDecision(decision: PendingDecision, now: number): AuditEvent[] {
    if (decision.requestId === "") return []; // nothing an access log entry could name
    const evicted: AuditEvent[] = [];
    while (this.count >= this.options.maxPending && this.count > 0) evicted.push(this.evictOldest("capacity", now));
    const list = this.pending.get(decision.requestId);
    if (list === undefined) {
      this.pending.set(decision.requestId, [decision]);
    } else {
      if (list.length >= MAX_PER_REQUEST_ID) evicted.push(this.take(decision.requestId, list, "capacity", now));
      list.push(decision);
    }
    this.count += 1;
    return evicted;
  }

  matchOutcome(outcome: AccessOutcome, now: number): AuditEvent {
    const list = this.pending.get(outcome.requestId);
    const decision = list?.shift();
    if (list === undefined || decision === undefined) return decisionMissingEvent(outcome, now);
    this.count -= 1;
    if (list.length === 0) this.pending.delete(outcome.requestId);
    return outcomeEvent(outcome, decision, now);
  }

  expire(now: number): AuditEvent[] {
    const due: string[] = [];
    for (const [requestId, list] of this.pending) {
      const oldest = list[0];
      if (oldest !== undefined && now - oldest.decidedAt < this.options.waitMs) break;
      due.push(requestId);
    }
    const events: AuditEvent[] = [];
    for (const requestId of due) {
      const list = this.pending.get(requestId) ?? [];
      while (list[0] !== undefined && now - list[0].decidedAt >= this.options.waitMs) {
        events.push(this.take(requestId, list, "timeout", now));
      }
    }
    return events;
  }

  // On shutdown every waiting decision is marked, so none disappears without a trace.
  drain(now: number): AuditEvent[] {
    const events: AuditEvent[] = [];
    for (const [requestId, list] of [...this.pending]) {
      while (list.length > 0) events.push(this.take(requestId, list, "shutdown", now));
    }
    return events;
  }

  private evictOldest(cause: MissingCause, now: number): AuditEvent {
    const [requestId, list] = this.pending.entries().next().value ?? ["", []];
    return this.take(requestId, list, cause, now);
  }

  // Removes the oldest decision of `requestId`, re-inserting the key behind newer ones.
  private take(requestId: string, list: PendingDecision[], cause: MissingCause, now: number): AuditEvent {
    const decision = list.shift();
    if (decision === undefined) throw new Error("outcome join: empty pending list");
    this.count -= 1;
    this.pending.delete(requestId);
    if (list.length > 0) this.pending.set(requestId, list);
    return outcomeMissingEvent(decision, cause, now);
  }
}
