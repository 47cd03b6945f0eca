import type { CryptoKey } from "jose";
import type { JwsAlgorithm } from "../../core/identity/jwt/jwt-config.ts";
import type { IssuerKeys, KeyLookup } from "../../core/identity/jwt/key-ports.ts";
import type { Result } from "../../core/result.ts";
import { importJwks, type KeySetSnapshot } from "./jwks-import.ts";

// One issuer's verification keys, kept fresh without ever putting the IdP on the request path
// more than the rules below allow:
// - refreshed in the background every `refreshMs`; a failed load is retried with backoff
//   (from `retryMinMs`, doubling, at most `refreshMs`), including a failure at start, which is
//   never latched;
// - a token naming an unknown kid triggers at most one load per `cooldownMs` (concurrent ones
//   share it), so a flood of made-up kids costs the IdP one request per cooldown;
// - a failed load never replaces the last good set: it keeps serving ("stale") for up to
//   `maxStaleMs` after the last success, then the issuer is "unavailable".

export type JwksState = "ok" | "stale" | "unavailable";

export interface JwksStatus {
  readonly issuer: string;
  readonly state: JwksState;
  readonly keys: number;
  readonly version: number;
  readonly lastSuccessAt: number | undefined; // epoch ms
  readonly lastAttemptAt: number | undefined;
  readonly lastError: string | undefined;
  readonly loads: number; // completed load attempts, failures included
  readonly failures: number;
}

export type JwksEvent =
  | {
      readonly kind: "loaded";
      readonly issuer: string;
      readonly keys: number;
      readonly changed: boolean;
      readonly skipped: readonly string[];
    }
  | { readonly kind: "failed"; readonly issuer: string; readonly error: string; readonly serving: JwksState };

export interface JwksKeySetOptions {
  readonly issuer: string;
  readonly algorithms: readonly JwsAlgorithm[];
  readonly load: () => Promise<Result<unknown, string>>;
  readonly refreshMs: number;
  readonly cooldownMs: number;
  readonly maxStaleMs: number;
  readonly retryMinMs?: number; // default 1000
  readonly now?: () => number;
  readonly onEvent?: (event: JwksEvent) => void;
}

export class JwksKeySet implements IssuerKeys<CryptoKey> {
  readonly #options: JwksKeySetOptions;
  readonly #now: () => number;
  #snapshot: KeySetSnapshot | undefined;
  #version = 0;
  #lastSuccessAt: number | undefined;
  #lastAttemptAt: number | undefined;
  #lastError: string | undefined;
  #loads = 0;
  #failures = 0;
  #consecutiveFailures = 0;
  #inFlight: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: JwksKeySetOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get version(): number {
    return this.#version;
  }

  // Loads once (resolving whether or not that worked) and keeps refreshing in the background.
  async start(): Promise<void> {
    this.#running = true;
    await this.refresh();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  // One load at a time: a caller arriving during a load shares it.
  refresh(): Promise<void> {
    this.#inFlight ??= this.#load()
      .catch((error: unknown) => this.#failed(`unexpected: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.#inFlight = undefined;
        this.#schedule();
      });
    return this.#inFlight;
  }

  lookup(kid: string | undefined, alg: string): KeyLookup<CryptoKey> | Promise<KeyLookup<CryptoKey>> {
    const keys = this.#usable()?.find(kid, alg);
    if (keys !== undefined && keys.length > 0) return { kind: "found", keys };
    // A load already under way may bring the key; otherwise start one unless within the cooldown.
    if (this.#inFlight === undefined && !this.#cooledDown()) return this.#miss();
    return this.refresh().then(() => {
      const after = this.#usable()?.find(kid, alg) ?? [];
      return after.length > 0 ? { kind: "found", keys: after } : this.#miss();
    });
  }

  status(): JwksStatus {
    return {
      issuer: this.#options.issuer,
      state: this.#state(),
      keys: this.#snapshot?.keys.length ?? 0,
      version: this.#version,
      lastSuccessAt: this.#lastSuccessAt,
      lastAttemptAt: this.#lastAttemptAt,
      lastError: this.#lastError,
      loads: this.#loads,
      failures: this.#failures,
    };
  }

  #miss(): KeyLookup<CryptoKey> {
    return this.#usable() === undefined
      ? { kind: "unavailable", detail: "the issuer's signing keys are unavailable" }
      : { kind: "unknown", detail: "the issuer publishes no key with this kid and algorithm" };
  }

  #usable(): KeySetSnapshot | undefined {
    if (this.#snapshot === undefined || this.#lastSuccessAt === undefined) return undefined;
    return this.#now() - this.#lastSuccessAt < this.#options.maxStaleMs ? this.#snapshot : undefined;
  }

  #state(): JwksState {
    if (this.#usable() === undefined) return "unavailable";
    return this.#lastError === undefined ? "ok" : "stale";
  }

  #cooledDown(): boolean {
    return this.#lastAttemptAt === undefined || this.#now() - this.#lastAttemptAt >= this.#options.cooldownMs;
  }

  async #load(): Promise<void> {
    this.#lastAttemptAt = this.#now();
    const loaded = await this.#options.load();
    const imported = loaded.ok ? await importJwks(loaded.value, this.#options.algorithms) : loaded;
    if (!imported.ok) return this.#failed(imported.error);
    const changed = imported.value.fingerprint !== this.#snapshot?.fingerprint;
    if (changed) this.#version++;
    this.#snapshot = imported.value;
    this.#loads++;
    this.#lastSuccessAt = this.#now();
    this.#lastError = undefined;
    this.#consecutiveFailures = 0;
    this.#options.onEvent?.({
      kind: "loaded",
      issuer: this.#options.issuer,
      keys: imported.value.keys.length,
      changed,
      skipped: imported.value.skipped,
    });
  }

  #failed(error: string): void {
    this.#loads++;
    this.#failures++;
    this.#consecutiveFailures++;
    this.#lastError = error;
    this.#options.onEvent?.({ kind: "failed", issuer: this.#options.issuer, error, serving: this.#state() });
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (!this.#running) return;
    const retryMin = this.#options.retryMinMs ?? 1000;
    const backoff = retryMin * 2 ** Math.min(this.#consecutiveFailures - 1, 20);
    const delay = this.#consecutiveFailures === 0 ? this.#options.refreshMs : Math.min(backoff, this.#options.refreshMs);
    this.#timer = setTimeout(() => void this.refresh(), delay);
    this.#timer.unref();
  }
}
