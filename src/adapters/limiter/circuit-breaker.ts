// Keeps limiter calls away from a Redis that is failing. Closed: every call goes to Redis, and
// `failures` consecutive failures open it. Open: calls are answered locally; after `openForMs`
// one call is let through as a half-open probe. The probe's success closes the breaker, its
// failure opens it again. Time is passed in (a monotonic clock in milliseconds).

export type BreakerState = "closed" | "open" | "half-open";

// Where one call goes: to Redis, to Redis as the half-open probe, or to the local limiter.
export type BreakerRoute = "redis" | "probe" | "local";

export interface CircuitBreakerOptions {
  readonly failures: number;
  readonly openForMs: number;
  readonly now: () => number;
  readonly onChange?: (state: BreakerState) => void;
}

export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  #state: BreakerState = "closed";
  #failures = 0;
  #openedAt = 0;

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
  }

  get state(): BreakerState {
    return this.#state;
  }

  route(): BreakerRoute {
    if (this.#state === "closed") return "redis";
    if (this.#state === "half-open" || this.#options.now() - this.#openedAt < this.#options.openForMs) return "local";
    this.#set("half-open");
    return "probe";
  }

  succeeded(route: BreakerRoute): void {
    if (route === "probe" || this.#state === "closed") {
      this.#failures = 0;
      this.#set("closed");
    }
  }

  failed(route: BreakerRoute): void {
    if (route === "probe") return this.#open();
    if (this.#state !== "closed") return;
    this.#failures += 1;
    if (this.#failures >= this.#options.failures) this.#open();
  }

  #open(): void {
    this.#openedAt = this.#options.now();
    this.#failures = 0;
    this.#set("open");
  }

  #set(state: BreakerState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#options.onChange?.(state);
  }
}
