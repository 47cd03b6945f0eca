import type { ListWatchClient } from "./list-watch-client.ts";
import type { LoopEvent, LoopTimers, LoopTuning } from "./list-watch-loop.ts";
import { createListWatchLoop } from "./list-watch-loop.ts";
import type { Interpretation, ResourceStatus } from "./last-good-collection.ts";
import { createLastGoodCollection } from "./last-good-collection.ts";

// A list-watch loop feeding a last-good collection, and the value built from what it serves
// (a PolicyIndex, a KeyIndex), rebuilt on every change and swapped in one assignment, so a
// decision sees either the old value or the new one, never a mix.

export interface ResourceWatchOptions<V, B> {
  readonly client: ListWatchClient;
  readonly timers: LoopTimers;
  readonly tuning: LoopTuning;
  readonly interpret: (object: unknown) => Interpretation<V>;
  readonly keepLastGood: boolean;
  readonly build: (served: readonly V[]) => B;
  readonly onLoop?: (event: LoopEvent) => void;
  readonly onChange?: (built: B, statuses: readonly ResourceStatus[]) => void;
}

export interface ResourceWatch<B> {
  current(): B | undefined; // undefined until the first full list: not ready
  synced(): boolean;
  staleness(): number; // ms since the API server last answered; Infinity before that
  status(): readonly ResourceStatus[];
  start(): void;
  stop(): void;
}

export function createResourceWatch<V, B>(options: ResourceWatchOptions<V, B>): ResourceWatch<B> {
  const collection = createLastGoodCollection(options.interpret, options.keepLastGood);
  let built: B | undefined;
  const rebuild = (): void => {
    built = options.build(collection.served());
    options.onChange?.(built, collection.statuses());
  };
  const loop = createListWatchLoop({
    client: options.client,
    timers: options.timers,
    tuning: options.tuning,
    ...(options.onLoop === undefined ? {} : { onEvent: options.onLoop }),
    sink: {
      replace: (items) => {
        collection.replace(items);
        rebuild();
      },
      upsert: (object) => {
        if (collection.upsert(object)) rebuild();
      },
      remove: (object) => {
        if (collection.remove(object)) rebuild();
      },
    },
  });
  return {
    current: () => built,
    synced: () => loop.synced(),
    staleness: () => {
      const at = loop.lastContactAt();
      return at === undefined ? Number.POSITIVE_INFINITY : Math.max(0, options.timers.now() - at);
    },
    status: () => collection.statuses(),
    start: () => loop.start(),
    stop: () => loop.stop(),
  };
}

export const SYSTEM_TIMERS: LoopTimers = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    timer.unref(); // a watch never keeps the process alive on its own
    return () => clearTimeout(timer);
  },
  random: () => Math.random(),
};
