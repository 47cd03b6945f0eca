import type { ApiKeyRecord } from "../../core/identity/api-key-record.ts";
import type { KeyIndex } from "../../core/identity/key-store.ts";
import { buildKeyIndex } from "../../core/identity/key-store.ts";
import type { Issue } from "../../core/result.ts";
import type { ListWatchClient } from "./list-watch-client.ts";
import type { LoopEvent, LoopTimers, LoopTuning } from "./list-watch-loop.ts";
import type { Interpretation, ResourceStatus } from "./last-good-collection.ts";
import { createResourceWatch } from "./resource-watch.ts";

// API key records watched live: ApiKey objects (api-key-resource.ts), or labelled Secrets
// (key-secret.ts) while a cluster still keeps them there. Unlike policies, an object whose record
// no longer reads serves no key at all: a key whose current record we cannot trust (a typo in
// `revoked: true`, say) is no credential. A deleted object, or `revoked: true`, stops the key at
// the next event.

export interface KeyWatch {
  current(): KeyIndex | undefined;
  synced(): boolean;
  staleness(): number;
  status(): readonly ResourceStatus[];
  duplicateIds(): readonly Issue[]; // a key id in two objects: the first by namespace/name wins
  start(): void;
  stop(): void;
}

export interface KeyWatchOptions {
  readonly client: ListWatchClient;
  readonly interpret: (object: unknown) => Interpretation<ApiKeyRecord>; // interpretApiKey or interpretKeySecret
  readonly timers: LoopTimers;
  readonly tuning: LoopTuning;
  readonly issuer?: string;
  readonly onLoop?: (event: LoopEvent) => void;
  readonly onChange?: (index: KeyIndex, statuses: readonly ResourceStatus[]) => void;
}

export function createKeyWatch(options: KeyWatchOptions): KeyWatch {
  let duplicates: readonly Issue[] = [];
  const watch = createResourceWatch<ApiKeyRecord, KeyIndex>({
    client: options.client,
    timers: options.timers,
    tuning: options.tuning,
    interpret: options.interpret,
    keepLastGood: false,
    build: (served) => {
      const built = buildKeyIndex(served, options.issuer === undefined ? {} : { issuer: options.issuer });
      duplicates = built.issues;
      return built.index;
    },
    ...(options.onLoop === undefined ? {} : { onLoop: options.onLoop }),
    ...(options.onChange === undefined ? {} : { onChange: options.onChange }),
  });
  return { ...watch, current: () => watch.current(), duplicateIds: () => duplicates };
}
