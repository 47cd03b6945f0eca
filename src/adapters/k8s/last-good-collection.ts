import type { Issue } from "../../core/result.ts";

// The resources a watch has seen, each interpreted once per generation. What is served is,
// per resource, its last version that interpreted cleanly; a new generation with problems is
// recorded (for logs and status) but does not replace it, unless `keepLastGood` is false, in
// which case a bad version serves nothing (API keys: a record we cannot read is no credential).
// A resource deleted and re-created under the same name (a new uid) starts afresh.

export interface Interpretation<V> {
  readonly value: V | undefined; // undefined when there are issues
  readonly issues: readonly Issue[];
}

export interface ResourceStatus {
  readonly key: string; // namespace/name
  readonly uid: string;
  readonly generation: number; // the newest generation seen
  readonly resourceVersion: string;
  readonly accepted: boolean; // the newest generation interpreted cleanly
  readonly issues: readonly Issue[]; // of the newest generation
  readonly servedGeneration: number | undefined; // what is served, if anything
}

interface Entry<V> {
  readonly status: ResourceStatus;
  readonly served: V | undefined;
}

export interface ResourceIdentity {
  readonly key: string;
  readonly uid: string;
  readonly generation: number;
  readonly resourceVersion: string;
}

export interface LastGoodCollection<V> {
  upsert(object: unknown): boolean; // true when what is served (or the status) changed
  remove(object: unknown): boolean;
  replace(objects: readonly unknown[]): void;
  served(): readonly V[]; // ordered by key, so rebuilds are deterministic
  statuses(): readonly ResourceStatus[];
}

export function identityOf(object: unknown): ResourceIdentity | undefined {
  const metadata = (object as { metadata?: Record<string, unknown> } | null)?.metadata;
  if (typeof metadata !== "object" || metadata === null) return undefined;
  const { name, namespace, uid, generation, resourceVersion } = metadata;
  if (typeof name !== "string") return undefined;
  return {
    key: `${typeof namespace === "string" ? namespace : ""}/${name}`,
    uid: typeof uid === "string" ? uid : "",
    // Secrets have no generation; their resourceVersion stands in (below).
    generation: typeof generation === "number" ? generation : 0,
    resourceVersion: typeof resourceVersion === "string" ? resourceVersion : "",
  };
}

export function createLastGoodCollection<V>(
  interpret: (object: unknown) => Interpretation<V>,
  keepLastGood: boolean,
): LastGoodCollection<V> {
  let entries = new Map<string, Entry<V>>();

  const next = (current: Entry<V> | undefined, object: unknown, id: ResourceIdentity): Entry<V> => {
    const sameResource = current !== undefined && current.status.uid === id.uid;
    // generation is bumped only by spec changes, so a status write or a label change costs nothing.
    const unchanged = sameResource && id.generation > 0 && current.status.generation === id.generation;
    if (unchanged) return { served: current.served, status: { ...current.status, resourceVersion: id.resourceVersion } };
    const result = interpret(object);
    const accepted = result.value !== undefined && result.issues.length === 0;
    const keepOld = !accepted && keepLastGood && sameResource;
    const served = accepted ? result.value : keepOld ? current.served : undefined;
    const servedGeneration = accepted ? id.generation : keepOld ? current.status.servedGeneration : undefined;
    return { served, status: { ...id, accepted, issues: result.issues, servedGeneration } };
  };

  const upsertInto = (map: Map<string, Entry<V>>, object: unknown): boolean => {
    const id = identityOf(object);
    if (id === undefined) return false;
    const current = map.get(id.key);
    const entry = next(current, object, id);
    map.set(id.key, entry);
    return (
      current === undefined ||
      entry.served !== current.served ||
      entry.status.accepted !== current.status.accepted ||
      entry.status.generation !== current.status.generation
    );
  };

  return {
    upsert: (object) => upsertInto(entries, object),
    remove: (object) => {
      const id = identityOf(object);
      return id !== undefined && entries.delete(id.key);
    },
    replace: (objects) => {
      const fresh = new Map<string, Entry<V>>();
      for (const object of objects) {
        const id = identityOf(object);
        const current = id === undefined ? undefined : entries.get(id.key);
        if (id !== undefined && current !== undefined) fresh.set(id.key, current);
        upsertInto(fresh, object);
      }
      entries = fresh;
    },
    served: () => sortedEntries(entries).flatMap((e) => (e.served === undefined ? [] : [e.served])),
    statuses: () => sortedEntries(entries).map((e) => e.status),
  };
}

function sortedEntries<V>(entries: ReadonlyMap<string, Entry<V>>): Entry<V>[] {
  return [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
}
