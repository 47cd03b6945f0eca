import type { Cluster, Redis } from "ioredis";
import { isCluster } from "../redis/is-cluster.ts";

// Loads the limiter's Lua scripts into Redis whenever the client becomes ready, so a fresh
// replica's first calls run EVALSHA on a cached script instead of racing the limiter deadline
// with the script's text and compilation. On Cluster every master gets them (a script cache is
// per node). "Prepared" latches on the first success: later outages are the breaker's business,
// not readiness'. A load that fails while the client stays connected is retried.

export interface Preparation {
  prepared(): boolean;
  whenPrepared(withinMs: number): Promise<boolean>;
  stop(): void;
}

async function loadScripts(client: Redis | Cluster, scripts: readonly string[]): Promise<void> {
  const nodes = isCluster(client) ? client.nodes("master") : [client];
  if (nodes.length === 0) throw new Error("no Redis master to load the limiter scripts into");
  await Promise.all(nodes.flatMap((node) => scripts.map((lua) => node.script("LOAD", lua))));
}

const RETRY_MS = 500;

export interface PreparationHooks {
  readonly onError: (error: Error) => void;
  readonly onPrepared?: () => void;
}

export function prepareOnReady(client: Redis | Cluster, scripts: readonly string[], hooks: PreparationHooks): Preparation {
  let done = false;
  let stopped = false;
  const waiters = new Set<() => void>();
  let retry: NodeJS.Timeout | undefined;
  const prepare = () => {
    clearTimeout(retry);
    loadScripts(client, scripts).then(
      () => {
        if (stopped || done) return;
        done = true;
        hooks.onPrepared?.();
        for (const wake of waiters) wake();
      },
      (error: unknown) => {
        hooks.onError(error instanceof Error ? error : new Error(String(error)));
        // A reconnect's "ready" tries again by itself; a client still connected needs a nudge.
        if (!stopped && client.status === "ready") retry = setTimeout(prepare, RETRY_MS).unref();
      },
    );
  };
  client.on("ready", prepare);
  if (client.status === "ready") prepare();
  return {
    prepared: () => done,
    whenPrepared: (withinMs) => {
      if (done) return Promise.resolve(true);
      return new Promise((resolve) => {
        const wake = () => finish(true);
        const finish = (value: boolean) => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(value);
        };
        const timer = setTimeout(finish, withinMs, false);
        waiters.add(wake);
      });
    },
    stop: () => {
      stopped = true;
      clearTimeout(retry);
      client.off("ready", prepare);
    },
  };
}
