import type { Decision } from "./decision.ts";
import type { DenyReason } from "./reason.ts";

// What the transport (the gRPC Check handler) asks for each request, in this order: admit →
// decide → record. The transport owns only what is about the call itself: concurrency, size,
// the caller's deadline and the wire format. Built in src/wiring/decision-service.ts.
export interface DecisionService {
  // A denial before the pipeline runs (the audit log cannot take a record), so nothing is
  // charged to a limit for a request that would be refused anyway; undefined to go on.
  admit(): Decision | undefined;
  // The pipeline. `cancel` is aborted once the caller stops waiting (deadline answered, call
  // cancelled): nothing may be charged after that. The decision itself when no step had to
  // wait (API key or cached JWT, in-process limiter), else a promise of it; never throws (a
  // bug is a rejected promise).
  decide(request: unknown, cancel: AbortSignal): Decision | Promise<Decision>;
  // A denial the transport makes without the pipeline: overloaded, request_too_large,
  // deadline_exceeded, internal_error.
  deny(reason: DenyReason, detail: string): Decision;
  // The record phase, for every decision including the transport's own denials: the audit log
  // first (an allow it cannot record becomes audit_unavailable: audit/audit-fail-mode.ts), then
  // `answer` is called with the decision to send, then metrics, the decision log and anomaly
  // detection see that same decision.
  record(decision: Decision, durationMs: number, answer: (decision: Decision) => void): void;
  // A bug, logged: the pipeline rejected (the caller is answered internal_error), or the record
  // phase threw.
  failed(error: unknown): void;
}
