import type { KubeFailure } from "../../../src/adapters/k8s/kube-http.ts";
import type { ListPage, ListWatchClient, WatchCallbacks } from "../../../src/adapters/k8s/list-watch-client.ts";
import type { LoopTimers } from "../../../src/adapters/k8s/list-watch-loop.ts";
import { err, ok, type Result } from "../../../src/core/result.ts";

// A manual clock and a scripted list/watch client, so the loop's timing rules are tested
// in microseconds without a server.

export interface ManualTimers extends LoopTimers {
  advance(ms: number): Promise<void>;
  pending(): number;
}

export function manualTimers(random = 0.5): ManualTimers {
  let now = 0;
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    random: () => random,
    after: (ms, fn) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return () => void timers.delete(id);
    },
    pending: () => timers.size,
    advance: async (ms) => {
      const end = now + ms;
      for (;;) {
        await flush();
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
      await flush();
    },
  };
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

export interface OpenWatch {
  readonly resourceVersion: string;
  readonly timeoutSeconds: number;
  readonly callbacks: WatchCallbacks;
  closed: boolean;
}

export interface FakeClient extends ListWatchClient {
  lists: number;
  listAnswers: Result<ListPage, KubeFailure>[]; // consumed in order; the last one repeats
  watches: OpenWatch[];
  lastWatch(): OpenWatch;
}

export function page(items: unknown[], resourceVersion: string): Result<ListPage, KubeFailure> {
  return ok({ items, resourceVersion, continueToken: undefined });
}

export function failure(status: number | undefined, message = "boom"): Result<ListPage, KubeFailure> {
  return err({ status, message });
}

export function fakeClient(...answers: Result<ListPage, KubeFailure>[]): FakeClient {
  const client: FakeClient = {
    description: "fake",
    lists: 0,
    listAnswers: answers,
    watches: [],
    lastWatch: () => {
      const w = client.watches.at(-1);
      if (w === undefined) throw new Error("no watch opened");
      return w;
    },
    list: async () => {
      client.lists += 1;
      const answer = client.listAnswers.length > 1 ? client.listAnswers.shift() : client.listAnswers[0];
      return answer ?? failure(500);
    },
    watch: (resourceVersion, timeoutSeconds, callbacks) => {
      const w: OpenWatch = { resourceVersion, timeoutSeconds, callbacks, closed: false };
      client.watches.push(w);
      return { close: () => void (w.closed = true) };
    },
  };
  return client;
}

export function object(name: string, resourceVersion: string, extra: Record<string, unknown> = {}): unknown {
  return { metadata: { name, namespace: "ns", uid: `uid-${name}`, resourceVersion, generation: 1 }, ...extra };
}
