import type { ChargeRequest, LimitState, LimitVerdict } from "../../core/limit/limiter-port.ts";
import { blockedVerdict } from "../../core/limit/limit-states.ts";
import type { RedisOutcome } from "./redis-limiter.ts";

// Callers Redis has just denied, so a hot abuser costs no round trip until its own retry-after.
// An entry is a counter key (or a penalty-box key) and the local instant it frees up: the time
// the request was sent plus the retry-after Redis computed, which is never later than the true
// instant (the script ran after the send). A key's TAT only moves forward on other replicas, so
// the denial stands at least that long for the same or a larger cost. Bounded: past `maxEntries`
// the oldest entries go first; an expired entry is dropped when next looked at.
// Under a penalty box every violation must reach Redis to be counted, so only the block itself
// is answered from here: a hot abuser then costs at most `violations` round trips per block.
// An anomaly block (a sanction) is answered from here until it ends; one imposed while a
// caller's denial is cached is seen when that entry ends, which is no later than Redis would.

interface Entry {
  readonly until: number;
  readonly cost: number;
  readonly state: LimitState | undefined; // undefined for a penalty box
}

export class DenyCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(maxEntries: number, now: () => number) {
    this.#maxEntries = maxEntries;
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  lookup(request: ChargeRequest): LimitVerdict | undefined {
    if (this.#entries.size === 0) return undefined;
    const now = this.#now();
    const sanction = request.sanction === undefined ? undefined : this.#live(request.sanction, now);
    if (sanction !== undefined) return blockedVerdict("anomaly", request.charges, (sanction.until - now) / 1000, "redis");
    const box = request.penaltyBox === undefined ? undefined : this.#live(request.penaltyBox.key, now);
    if (box !== undefined) return blockedVerdict("penalty_box", request.charges, (box.until - now) / 1000, "redis");
    if (request.penaltyBox !== undefined) return undefined;
    const states: LimitState[] = [];
    for (const { key, limit } of request.charges) {
      const hit = limit.shadow === true ? undefined : this.#live(key, now);
      if (hit?.state !== undefined && request.cost >= hit.cost) states.push({ ...hit.state, resetSeconds: (hit.until - now) / 1000 });
    }
    if (states.length === 0) return undefined;
    const retryAfterSeconds = Math.max(...states.map((s) => s.resetSeconds));
    return { kind: "limited", states, violated: states.map((s) => s.name), retryAfterSeconds, mode: "redis" };
  }

  remember(request: ChargeRequest, outcome: RedisOutcome, sentAt: number): void {
    if (this.#maxEntries === 0) return;
    const { verdict } = outcome;
    if (verdict.kind === "blocked" && verdict.by === "anomaly" && request.sanction !== undefined) {
      this.#put(request.sanction, { until: sentAt + outcome.blockMs, cost: 0, state: undefined });
      return;
    }
    if (outcome.blockMs > 0 && request.penaltyBox !== undefined) {
      this.#put(request.penaltyBox.key, { until: sentAt + outcome.blockMs, cost: 0, state: undefined });
    }
    if (request.penaltyBox !== undefined) return;
    for (const d of outcome.denials) this.#put(d.key, { until: sentAt + d.retryAfterMs, cost: d.cost, state: d.state });
  }

  #live(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.until > now) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  #put(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
  }
}
