import type { Cancellation, ChargeRequest, Limiter, LimitState, LimitVerdict } from "../../core/limit/limiter-port.ts";
import { blockedVerdict, combineFigures, type LimitFigures } from "../../core/limit/limit-states.ts";
import { err, ok, type Result } from "../../core/result.ts";
import { decodeReply, encodeCall, type CallExtras, type ScriptCall, type ScriptOp, type ScriptReply } from "./limiter-script-codec.ts";
import { planGroups, type SlotGroup } from "./slot-groups.ts";

// The Redis-backed limiter: one script call per request (per slot on Redis Cluster), Redis TIME
// as the clock. On Cluster, a request whose keys span slots runs one call per slot in parallel;
// if any slot denies, the slots that charged give it back (a second round trip, only on that
// denial path). Meanwhile another caller may see the provisional charge: under-admission for a
// moment, never over-admission. A call cancelled while it ran (the caller's deadline answer
// went out) gives back whatever it charged, and the penalty-box violation it counted, in the
// background: a caller answered deadline_exceeded was never told it went over.

export interface ScriptPort {
  readonly clustered: boolean;
  run(call: ScriptCall): Promise<unknown>;
}

// An enforced limit that denied: what the deny cache needs to answer locally until it passes.
export interface Denial {
  readonly key: string;
  readonly cost: number;
  readonly retryAfterMs: number;
  readonly state: LimitState;
}

export interface RedisOutcome {
  readonly verdict: Exclude<LimitVerdict, { kind: "unavailable" }>;
  readonly nowMs: number; // Redis TIME when the (first) call ran
  readonly denials: readonly Denial[];
  readonly blockMs: number; // > 0 when the caller is blocked (penalty box or anomaly sanction)
  readonly blockStarted: boolean;
}

type Charged = { readonly indices: readonly number[]; readonly reply: ScriptReply };

export class RedisLimiter implements Limiter {
  readonly #port: ScriptPort;

  constructor(port: ScriptPort) {
    this.#port = port;
  }

  async charge(request: ChargeRequest, cancel?: Cancellation): Promise<LimitVerdict> {
    const outcome = await this.tryCharge(request, cancel);
    return outcome.ok ? outcome.value.verdict : { kind: "unavailable", detail: outcome.error };
  }

  // Never rejects: a Redis error, a timeout reported by ioredis or a malformed reply is a value.
  async tryCharge(request: ChargeRequest, cancel?: Cancellation): Promise<Result<RedisOutcome, string>> {
    try {
      const groups = planGroups(request, this.#port.clustered);
      const charge = (g: SlotGroup) => this.#call("charge", request, g.indices, { box: g.box, sanction: g.sanction });
      // One group (always, off Cluster) is awaited as is: Promise.all would be a promise more.
      const only = groups.length === 1 ? groups[0] : undefined;
      const replies = only === undefined ? await Promise.all(groups.map(charge)) : [await charge(only)];
      const charged = groups.map((g, i) => ({ indices: g.indices, reply: replies[i] as ScriptReply }));
      const allAllowed = replies.every((r) => r.status === "allowed");
      if (allAllowed && cancel?.aborted === true) this.#refund(request, groups, charged);
      const undone = groups.length === 1 || allAllowed ? [] : await this.#giveBack(request, groups, charged, true);
      const outcome = settle(request, charged, undone);
      return ok(cancel?.aborted === true ? this.#forgive(request, outcome, [...undone, ...charged]) : outcome);
    } catch (e) {
      return err(e instanceof Error ? e.message : String(e));
    }
  }

  // A plain `then`, not an async function: one promise less per call.
  #call(op: ScriptOp, request: ChargeRequest, indices: readonly number[], extras: CallExtras): Promise<ScriptReply> {
    const all = request.charges;
    const charges = indices.length === all.length ? all : indices.map((i) => all[i]).filter((c) => c !== undefined);
    return this.#port.run(encodeCall(op, charges, request.cost, extras)).then((raw) => {
      const reply = decodeReply(raw, charges.length);
      if (reply === undefined) throw new Error(`unexpected limiter script reply: ${JSON.stringify(raw).slice(0, 200)}`);
      return reply;
    });
  }

  // Nobody waits for this answer: everything charged is given back. Not awaited, so the refund
  // never counts against the limiter deadline; a refund Redis cannot take leaves the charge
  // standing (under-admission).
  #refund(request: ChargeRequest, groups: readonly SlotGroup[], charged: readonly Charged[]): void {
    this.#giveBack(request, groups, charged, false).catch(() => undefined);
  }

  // A request denies after one violation at most (in its charge, or in the undo on Cluster): a
  // limited verdict counted one, a block this request started was that violation. Taken back in
  // the background, like a refund; the outcome then carries no block for the deny cache to keep.
  #forgive(request: ChargeRequest, outcome: RedisOutcome, replies: readonly Charged[]): RedisOutcome {
    const box = request.penaltyBox;
    const started = outcome.verdict.kind === "blocked" && outcome.verdict.by === "penalty_box" && outcome.blockStarted;
    if (box === undefined || (outcome.verdict.kind !== "limited" && !started)) return outcome;
    const starter = replies.find((c) => c.reply.status === "blocked" && c.reply.blockStarted)?.reply;
    const startedBlockUntilMs = started && starter !== undefined ? starter.nowMs + starter.blockMs : 0;
    this.#call("forgive", request, [], { box, startedBlockUntilMs }).catch(() => undefined);
    return started ? { ...outcome, blockMs: 0, blockStarted: false } : outcome;
  }

  // Some slot denied, or the call was cancelled: every slot that charged gives it back (at the
  // factor it charged with); on a denial the caller's own slot also counts the violation for the
  // penalty box when a limit (not a block) denied.
  #giveBack(request: ChargeRequest, groups: readonly SlotGroup[], charged: readonly Charged[], mayRecord: boolean): Promise<Charged[]> {
    const violated = mayRecord && charged.every((c) => c.reply.status === "allowed" || c.reply.status === "limited");
    const undos = groups.map((g, i) => {
      const { reply } = charged[i] as Charged;
      if (reply.status !== "allowed") return undefined;
      const indices = g.indices.filter((_, j) => reply.rows[j]?.allowed === true);
      const record = violated && g.box !== undefined;
      if (indices.length === 0 && !record) return undefined;
      const extras = { box: record ? g.box : undefined, recordViolation: record, factorPermille: reply.factorPermille };
      return this.#call("undo", request, indices, extras).then((r) => ({ indices, reply: r }));
    });
    return Promise.all(undos.filter((u) => u !== undefined));
  }
}

// `undone` rows (cost 0 after the refund) replace what the first calls reported.
function settle(request: ChargeRequest, charged: readonly Charged[], undone: readonly Charged[]): RedisOutcome {
  const nowMs = charged[0]?.reply.nowMs ?? 0;
  const replies = [...undone, ...charged].map((c) => c.reply);
  // A sanction outranks the penalty box: it is the broader block.
  const blocked = replies.find((r) => r.status === "sanctioned") ?? replies.find((r) => r.status === "blocked");
  if (blocked !== undefined) {
    const verdict = blockedVerdict(
      blocked.status === "sanctioned" ? "anomaly" : "penalty_box",
      request.charges,
      blocked.blockMs / 1000,
      "redis",
    );
    return { verdict, nowMs, denials: [], blockMs: blocked.blockMs, blockStarted: blocked.blockStarted };
  }
  const figures: LimitFigures[] = [];
  for (const { indices, reply } of [...charged, ...undone]) indices.forEach((index, j) => (figures[index] = reply.rows[j] as LimitFigures));
  const factor = Math.min(...charged.map((c) => c.reply.factorPermille));
  const verdict = combineFigures(request.charges, figures, "redis", factor);
  const denials: Denial[] = [];
  for (let i = 0; i < request.charges.length; i++) {
    const c = request.charges[i] as ChargeRequest["charges"][number];
    const f = figures[i];
    if (f === undefined || f.allowed || c.limit.shadow === true) continue;
    denials.push({ key: c.key, cost: request.cost, retryAfterMs: f.retryAfterMs, state: verdict.states[i] as LimitState });
  }
  return { verdict, nowMs, denials, blockMs: 0, blockStarted: false };
}
