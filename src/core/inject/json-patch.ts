// RFC 6902 JSON Patch, the subset the injector emits (add, replace), and applying it, so
// `modelgate inject` produces exactly what the API server makes of the webhook's patch.

export type PatchOp =
  | { readonly op: "add"; readonly path: string; readonly value: unknown }
  | { readonly op: "replace"; readonly path: string; readonly value: unknown };

// RFC 6901: "~" and "/" inside a key.
export function pointerSegment(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

function unescape(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}

type Container = Record<string, unknown> | unknown[];

function step(parent: unknown, segment: string): unknown {
  if (Array.isArray(parent)) return parent[Number(segment)];
  return typeof parent === "object" && parent !== null ? (parent as Record<string, unknown>)[segment] : undefined;
}

// A deep copy with the ops applied; an op that does not fit the document is a bug in the
// injector (it only patches what it has just read), hence the throw.
export function applyPatch<T>(document: T, ops: readonly PatchOp[]): T {
  const copy = structuredClone(document) as unknown;
  for (const op of ops) {
    const segments = op.path.split("/").slice(1).map(unescape);
    const last = segments.pop();
    const parent = segments.reduce<unknown>(step, copy) as Container | undefined;
    if (last === undefined || typeof parent !== "object" || parent === null) throw new Error(`patch path ${op.path} does not exist`);
    const value = structuredClone(op.value);
    if (Array.isArray(parent)) {
      if (last === "-") parent.push(value);
      else if (op.op === "add") parent.splice(Number(last), 0, value);
      else parent[Number(last)] = value;
    } else {
      parent[last] = value;
    }
  }
  return copy as T;
}
