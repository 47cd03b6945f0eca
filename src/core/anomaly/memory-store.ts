import type { RuleStore } from "./evaluate-plan.ts";

// The in-memory twin of the Redis keys for `audit analyze`. Expiry follows a clock that only
// moves forward (the latest record time seen), as Redis' own clock does, so a key lives exactly
// as long offline as it would have online. Expired keys are swept now and then, which bounds
// memory by the traffic of the last few windows, not by the length of the log.

interface Entry {
  readonly value: unknown;
  readonly expiresAt: number;
}

const SWEEP_EVERY = 10_000;

export class MemoryRuleStore implements RuleStore {
  readonly #entries = new Map<string, Entry>();
  #clock = Number.NEGATIVE_INFINITY;
  #writes = 0;

  advance(time: number): void {
    if (time > this.#clock) this.#clock = time;
  }

  get<T>(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#clock) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  set(key: string, value: unknown, ttlMs: number): void {
    this.#entries.set(key, { value, expiresAt: this.#clock + ttlMs });
    if ((this.#writes += 1) % SWEEP_EVERY === 0) this.#sweep();
  }

  get size(): number {
    return this.#entries.size;
  }

  #sweep(): void {
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= this.#clock) this.#entries.delete(key);
  }
}
