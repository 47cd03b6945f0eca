// Allowed decisions waiting for the model's response, so a model error can be counted against
// the identity that asked (the response itself carries no identity). Bounded in count and in
// age; oldest first out. Keyed by request id online (Envoy's access log) and by decision id
// offline (the outcome record).

interface Pending<T> {
  readonly value: T;
  readonly at: number;
}

export class PendingDecisions<T> {
  readonly maxPending: number;
  readonly waitMs: number;
  readonly #entries = new Map<string, Pending<T>>();
  evicted = 0; // dropped for room before their response arrived

  constructor(maxPending: number, waitMs: number) {
    this.maxPending = maxPending;
    this.waitMs = waitMs;
  }

  note(key: string, value: T, now: number): void {
    if (this.maxPending === 0 || key === "") return;
    this.#expire(now);
    this.#entries.delete(key);
    while (this.#entries.size >= this.maxPending) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
      this.evicted += 1;
    }
    this.#entries.set(key, { value, at: now });
  }

  take(key: string, now: number): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    return now - entry.at > this.waitMs ? undefined : entry.value;
  }

  get size(): number {
    return this.#entries.size;
  }

  // Insertion order is age order, so expiry stops at the first entry still waiting.
  #expire(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (now - entry.at <= this.waitMs) break;
      this.#entries.delete(key);
    }
  }
}
