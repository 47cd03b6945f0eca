// One line of V8's --trace-gc-nvp, as the GC scripts read it.

export interface GcEvent {
  readonly kind: string; // s (scavenge), mmc (minor mark-compact), mc (mark-compact)
  readonly pause: number; // ms
  readonly promoted: number; // bytes
  readonly heapAfter: number; // bytes of live objects after this GC
  readonly newSpace: number; // bytes of new-space capacity
}

// V8 names a full collection "mc" (mark-compact) or, without compaction, "ms" (mark-sweep).
export const isMarkCompact = (event: Pick<GcEvent, "kind">): boolean => event.kind === "mc" || event.kind === "ms";

// A young-generation collection: a scavenge, or a minor mark-compact under --minor-ms.
export const isScavenge = (event: Pick<GcEvent, "kind">): boolean => event.kind === "s" || event.kind === "mmc";

const field = (line: string, name: string): number => Number(new RegExp(` ${name}=([\\d.]+)`).exec(line)?.[1] ?? Number.NaN);

export function parseGcLine(line: string): GcEvent {
  return {
    kind: / gc=(\w+)/.exec(line)?.[1] ?? "?",
    pause: field(line, "pause"),
    promoted: field(line, "promoted"),
    heapAfter: field(line, "end_object_size"),
    newSpace: field(line, "new_space_capacity"),
  };
}
