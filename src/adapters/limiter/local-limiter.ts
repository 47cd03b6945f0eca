import type { LimitCharge, LimitState, Limiter, LimitVerdict } from "../../core/limiter.ts";
import { gcra, type GcraOutcome } from "../../core/limit/gcra.ts";
import type { LimitSpec } from "../../core/policy/types.ts";

// The in-process limiter: exact GCRA per key, all-or-nothing across a request's limits.
// It backs `npm start` and, later, the degraded mode while Redis is unreachable.
// Memory is bounded: expired keys are dropped lazily, and past `maxKeys` the oldest-touched go first.

export interface LocalLimiterOptions {
  readonly now: () => number;
  readonly maxKeys?: number;
  // Share of each limit this replica may admit on its own (1 when it is the only enforcer).
  readonly share?: number;
}

interface Slot {
  tat: number;
}

function stateOf(limit: LimitSpec, outcome: GcraOutcome): LimitState {
  return {
    name: limit.name,
    quota: limit.requests,
    windowSeconds: limit.periodMs / 1000,
    remaining: outcome.remaining,
    resetSeconds: (outcome.allowed ? outcome.resetMs : outcome.retryAfterMs) / 1000,
  };
}

export class LocalLimiter implements Limiter {
  readonly #slots = new Map<string, Slot>();
  readonly #now: () => number;
  readonly #maxKeys: number;
  readonly #share: number;

  constructor(options: LocalLimiterOptions) {
    this.#now = options.now;
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#share = options.share ?? 1;
  }

  get size(): number {
    return this.#slots.size;
  }

  charge(charges: readonly LimitCharge[], cost: number): Promise<LimitVerdict> {
    return Promise.resolve(this.chargeNow(charges, cost));
  }

  chargeNow(charges: readonly LimitCharge[], cost: number): LimitVerdict {
    const now = this.#now();
    const limits = charges.map((c) => this.#scaled(c.limit));
    const tats = charges.map((c) => this.#slots.get(c.key)?.tat);
    const outcomes = charges.map((_, i) => gcra(limits[i] as LimitSpec, tats[i], now, cost));
    const violated = limits.filter((_, i) => outcomes[i]?.allowed === false).map((l) => l.name);
    if (violated.length > 0) {
      // Nothing is charged, so a limit this request would have passed reports its state as it
      // stays (cost 0), not as if this request had been counted.
      const states = limits.map((l, i) => {
        const outcome = outcomes[i] as GcraOutcome;
        return stateOf(l, outcome.allowed ? gcra(l, tats[i], now, 0) : outcome);
      });
      const retryAfterMs = Math.max(...outcomes.map((o) => o.retryAfterMs));
      return { kind: "limited", states, violated, retryAfterSeconds: retryAfterMs / 1000, mode: "local" };
    }
    const states = limits.map((l, i) => stateOf(l, outcomes[i] as GcraOutcome));
    charges.forEach((c, i) => this.#store(c.key, (outcomes[i] as GcraOutcome).tat));
    return { kind: "allowed", states, mode: "local" };
  }

  #scaled(limit: LimitSpec): LimitSpec {
    if (this.#share === 1) return limit;
    return {
      ...limit,
      requests: Math.max(1, Math.floor(limit.requests * this.#share)),
      burst: Math.max(1, Math.floor(limit.burst * this.#share)),
    };
  }

  #store(key: string, tat: number): void {
    // Re-inserting moves the key to the end, so Map order is least-recently-charged first.
    this.#slots.delete(key);
    this.#slots.set(key, { tat });
    if (this.#slots.size > this.#maxKeys) this.#evict();
  }

  #evict(): void {
    for (const key of this.#slots.keys()) {
      if (this.#slots.size <= this.#maxKeys) break;
      this.#slots.delete(key);
    }
  }
}
