// What `actions: [...]` of a rule covers. `*` stands for every action except `admin` and
// `unknown` in Allow rules: those two must always be granted by name, so a broad grant never
// opens model loading/unloading or unrecognised endpoints. In Deny rules `*` covers every action,
// because a broad denial should fail safe.
export type Effect = "Allow" | "Deny";

export const WILDCARD_ACTION = "*";
export const EXPLICIT_ONLY_ACTIONS: readonly string[] = ["admin", "unknown"];

export interface ActionSet {
  readonly wildcard: boolean;
  readonly named: ReadonlySet<string>;
  readonly effect: Effect;
}

export function actionSet(actions: readonly string[], effect: Effect): ActionSet {
  return Object.freeze({
    wildcard: actions.includes(WILDCARD_ACTION),
    named: new Set(actions.filter((a) => a !== WILDCARD_ACTION)),
    effect,
  });
}

export function coversAction(set: ActionSet, action: string): boolean {
  if (set.named.has(action)) return true;
  if (!set.wildcard) return false;
  return set.effect === "Deny" || !EXPLICIT_ONLY_ACTIONS.includes(action);
}

// True when every action `inner` can cover is also covered by `outer` (used for shadowing).
export function coversAll(outer: ActionSet, inner: ActionSet): boolean {
  if (inner.wildcard && !outer.wildcard) return false;
  if (inner.wildcard && inner.effect === "Deny" && outer.effect !== "Deny") return false;
  for (const action of inner.named) {
    if (!coversAction(outer, action)) return false;
  }
  return true;
}
