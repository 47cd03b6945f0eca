import type { Decision } from "../../core/decision.ts";
import type { DecisionService } from "../../core/decision-service.ts";
import { isPromise, type MaybePromise } from "../../core/maybe-promise.ts";
import { respond, type AuthzResponse } from "../../core/respond.ts";
import type { DeadlineEntry, DeadlineQueue } from "./deadline-queue.ts";
import { isOversized } from "./request-size.ts";

// What the Check method does with one call, whatever carries it: the concurrency limit
// (overloaded), the size limit (request_too_large), admit → decide → record, the caller's
// deadline (answered deadline_exceeded before the caller gives up), cancellation (the decision's
// AbortSignal), exactly one answer, and a bug in the pipeline answered internal_error and logged.
// The transport decodes the request, measures the deadline and sends the encoded answer.

export interface CheckCallOptions {
  readonly service: DecisionService;
  readonly maxInFlight: number;
  readonly maxReceiveBytes: number;
  readonly deadlines: DeadlineQueue;
  readonly encode: (response: AuthzResponse, decisionId: string, reason: string) => Buffer;
}

export interface CheckCall {
  readonly request: unknown; // the decoded CheckRequest, or an OversizedRequest marker
  readonly remainingMs: number; // the caller's budget left; +Infinity without a deadline
  readonly reply: (answer: Buffer) => void;
}

// Called by the transport when the caller goes away before the answer (a no-op afterwards).
export type CancelCheck = () => void;

const NOTHING_TO_CANCEL: CancelCheck = () => undefined;

// Answer before the caller gives up, so Envoy receives our denial rather than its own timeout.
// Our view of the deadline starts when the call arrives, a little after the caller's, so keep
// a share of the budget in reserve.
const DEADLINE_MARGIN_MIN_MS = 3;
const DEADLINE_MARGIN_SHARE = 0.1;

export function answerBudgetMs(remainingMs: number): number {
  return remainingMs - Math.max(DEADLINE_MARGIN_MIN_MS, remainingMs * DEADLINE_MARGIN_SHARE);
}

export function checkCallHandler(options: CheckCallOptions): (call: CheckCall) => CancelCheck {
  const { service, deadlines, encode } = options;
  let inFlight = 0;
  const finish = (call: CheckCall, decision: Decision, started: number): void =>
    service.record(decision, performance.now() - started, (answer) => call.reply(encode(respond(answer), answer.id, answer.reason)));

  return (call) => {
    const started = performance.now();
    if (inFlight >= options.maxInFlight) {
      finish(call, service.deny("overloaded", `more than ${options.maxInFlight} checks in flight`), started);
      return NOTHING_TO_CANCEL;
    }
    if (isOversized(call.request)) {
      const detail = `the CheckRequest is ${call.request.oversizedBytes} bytes; this server takes at most ${options.maxReceiveBytes}`;
      finish(call, service.deny("request_too_large", detail), started);
      return NOTHING_TO_CANCEL;
    }
    const refused = service.admit();
    if (refused !== undefined) {
      finish(call, refused, started);
      return NOTHING_TO_CANCEL;
    }
    inFlight += 1;
    const cancel = new AbortController();
    let settled = false;
    let deadline: DeadlineEntry | undefined;
    // The first of the decision, its failure and the deadline answers; the others find the
    // call settled. No promise joins them, so a decision costs no race, timer or `finally`.
    const settle = (decision: Decision): void => {
      if (settled) return;
      settled = true;
      if (deadline !== undefined) deadlines.remove(deadline);
      inFlight -= 1;
      try {
        finish(call, decision, started);
      } catch (error) {
        service.failed(error); // a throw in the record phase is a bug to log
      }
    };
    const failed = (error: unknown): void => {
      service.failed(error);
      settle(service.deny("internal_error", "the decision failed; see the server log"));
    };
    const missed = (): void => {
      cancel.abort();
      settle(service.deny("deadline_exceeded", "the decision missed the caller's deadline"));
    };
    const budgetMs = answerBudgetMs(call.remainingMs);
    if (budgetMs <= 0) {
      missed(); // no budget left: decide nothing, so a synchronous limiter charges nothing
      return NOTHING_TO_CANCEL;
    }
    decideThen(service, call.request, cancel.signal, settle, failed);
    if (!settled && Number.isFinite(budgetMs)) deadline = deadlines.add(budgetMs, missed);
    return () => {
      if (!settled) cancel.abort();
    };
  };
}

// `decide` may answer at once or with a promise; a synchronous decision is settled without one.
function decideThen(
  service: DecisionService,
  request: unknown,
  signal: AbortSignal,
  settle: (decision: Decision) => void,
  failed: (error: unknown) => void,
): void {
  let outcome: MaybePromise<Decision>;
  try {
    outcome = service.decide(request, signal);
  } catch (error) {
    failed(error);
    return;
  }
  if (isPromise(outcome)) outcome.then(settle, failed);
  else settle(outcome);
}
