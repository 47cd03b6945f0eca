import type { KubeFailure } from "./kube-http.ts";
import type { ListWatchClient, WatchEvent, WatchHandle } from "./list-watch-client.ts";

// List, then watch from the list's resourceVersion, forever. Unlike client-node's informer,
// which stops on any error but a timeout, every failure here leads back to watching: a watch
// that ends cleanly resumes from the last resourceVersion; one that fails (network, 5xx, 401,
// a stall with the connection still open) resumes after a jittered exponential backoff; 410
// Gone relists. A periodic relist repairs anything a watch could have missed.

export interface LoopTimers {
  now(): number;
  after(ms: number, fn: () => void): () => void; // returns a cancel function
  random(): number; // [0, 1), for jitter
}

export interface ResourceSink {
  replace(items: readonly unknown[]): void; // a full list: everything not in it is gone
  upsert(object: unknown): void;
  remove(object: unknown): void;
}

export type LoopEvent =
  | { readonly kind: "listed"; readonly count: number; readonly resourceVersion: string }
  | { readonly kind: "watching"; readonly resourceVersion: string }
  | { readonly kind: "retry"; readonly why: string; readonly delayMs: number; readonly relist: boolean }
  | { readonly kind: "stalled"; readonly silentMs: number };

export interface LoopTuning {
  // The server closes each watch after its timeoutSeconds (sending a bookmark just before; it
  // sends none in between, measured on 1.34), so a healthy watch is never silent for longer
  // than that timeout. Silent for the timeout plus this grace: the watch is stalled.
  readonly stallGraceMs: number;
  readonly watchTimeoutSeconds: number; // asked of the server; randomised up to 1.5x so replicas spread out
  readonly relistIntervalMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
}

export interface LoopOptions {
  readonly client: ListWatchClient;
  readonly sink: ResourceSink;
  readonly timers: LoopTimers;
  readonly tuning: LoopTuning;
  readonly onEvent?: (event: LoopEvent) => void;
}

export interface ListWatchLoop {
  start(): void;
  stop(): void;
  synced(): boolean; // a full list has been applied at least once
  lastContactAt(): number | undefined; // when the server last answered a list or sent a watch event
}

// A watch the server closes sooner than this after opening, with no event, counts as a failure
// so a misbehaving server or proxy cannot drive a hot reconnect loop.
const MIN_HEALTHY_WATCH_MS = 1000;

export function createListWatchLoop(options: LoopOptions): ListWatchLoop {
  return new Loop(options);
}

class Loop implements ListWatchLoop {
  readonly #options: LoopOptions;
  #epoch = 0; // bumped on every restart: callbacks of an older list or watch are ignored
  #running = false;
  #synced = false;
  #lastContact: number | undefined;
  #lastActivity = 0;
  #resourceVersion = "";
  #attempts = 0;
  #watch: WatchHandle | undefined;
  readonly #cancels = new Set<() => void>();

  constructor(options: LoopOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#list();
  }

  stop(): void {
    this.#running = false;
    this.#reset();
  }

  synced(): boolean {
    return this.#synced;
  }

  lastContactAt(): number | undefined {
    return this.#lastContact;
  }

  #emit(event: LoopEvent): void {
    this.#options.onEvent?.(event);
  }

  #schedule(ms: number, fn: () => void): void {
    const cancel = this.#options.timers.after(ms, () => {
      this.#cancels.delete(cancel);
      fn();
    });
    this.#cancels.add(cancel);
  }

  #reset(): number {
    this.#epoch += 1;
    this.#watch?.close();
    this.#watch = undefined;
    for (const cancel of this.#cancels) cancel();
    this.#cancels.clear();
    return this.#epoch;
  }

  #contact(): void {
    this.#lastContact = this.#options.timers.now();
    this.#lastActivity = this.#lastContact;
  }

  #retry(why: string, relist: boolean): void {
    const { tuning, timers } = this.#options;
    const ceiling = Math.min(tuning.backoffMaxMs, tuning.backoffInitialMs * 2 ** Math.min(this.#attempts, 30));
    const delayMs = Math.round(ceiling / 2 + (timers.random() * ceiling) / 2);
    this.#attempts += 1;
    const mine = this.#reset();
    this.#emit({ kind: "retry", why, delayMs, relist });
    this.#schedule(delayMs, () => {
      if (mine === this.#epoch) void (relist ? this.#list() : this.#openWatch());
    });
  }

  async #list(): Promise<void> {
    const { client, sink, timers, tuning } = this.#options;
    const mine = this.#reset();
    const items: unknown[] = [];
    let continueToken: string | undefined;
    do {
      const page = await client.list(continueToken);
      if (mine !== this.#epoch) return;
      if (!page.ok) return this.#retry(`list ${client.description}: ${describe(page.error)}`, true);
      items.push(...page.value.items);
      this.#resourceVersion = page.value.resourceVersion;
      continueToken = page.value.continueToken;
    } while (continueToken !== undefined);
    this.#contact();
    this.#attempts = 0;
    sink.replace(items);
    this.#synced = true;
    this.#emit({ kind: "listed", count: items.length, resourceVersion: this.#resourceVersion });
    this.#schedule(Math.round(tuning.relistIntervalMs * (1 + timers.random() * 0.2)), () => void this.#list());
    this.#openWatch();
  }

  #openWatch(): void {
    const { client, timers, tuning } = this.#options;
    const mine = this.#epoch;
    const openedAt = timers.now();
    let events = 0;
    const timeout = Math.round(tuning.watchTimeoutSeconds * (1 + timers.random() * 0.5));
    this.#lastActivity = openedAt;
    this.#emit({ kind: "watching", resourceVersion: this.#resourceVersion });
    this.#watch = client.watch(this.#resourceVersion, timeout, {
      onOpen: () => {
        if (mine === this.#epoch) this.#contact();
      },
      onEvent: (event) => {
        if (mine !== this.#epoch) return;
        events += 1;
        this.#contact();
        this.#attempts = 0;
        this.#apply(event);
      },
      onEnd: (failure) => {
        if (mine !== this.#epoch) return;
        this.#watch = undefined;
        if (failure?.status === 410) return void this.#list();
        if (failure !== undefined) return this.#retry(`watch ${client.description}: ${describe(failure)}`, false);
        if (events === 0 && timers.now() - openedAt < MIN_HEALTHY_WATCH_MS) return this.#retry("the watch closed at once", false);
        this.#openWatch();
      },
    });
    this.#armWatchdog(mine, timeout * 1000 + tuning.stallGraceMs);
  }

  #armWatchdog(mine: number, stallAfterMs: number): void {
    const { client, timers } = this.#options;
    this.#schedule(Math.max(this.#lastActivity + stallAfterMs - timers.now(), 1), () => {
      if (mine !== this.#epoch || this.#watch === undefined) return;
      const silentMs = timers.now() - this.#lastActivity;
      if (silentMs < stallAfterMs) return this.#armWatchdog(mine, stallAfterMs);
      this.#emit({ kind: "stalled", silentMs });
      this.#retry(`watch ${client.description}: nothing received for ${silentMs} ms`, false);
    });
  }

  #apply(event: WatchEvent): void {
    const rv = resourceVersionOf(event.object);
    if (rv !== undefined) this.#resourceVersion = rv;
    if (event.type === "ADDED" || event.type === "MODIFIED") this.#options.sink.upsert(event.object);
    else if (event.type === "DELETED") this.#options.sink.remove(event.object);
  }
}

function resourceVersionOf(object: unknown): string | undefined {
  const rv = (object as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion;
  return typeof rv === "string" && rv !== "" ? rv : undefined;
}

// "status message", or the message alone when the request got no HTTP status.
export function describe(failure: KubeFailure): string {
  return failure.status === undefined ? failure.message : `${failure.status} ${failure.message}`;
}
