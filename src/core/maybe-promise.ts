// A step that usually has its answer at once but sometimes must wait (a JWKS fetch, a Redis
// round trip). Returning the plain value when there is one lets the pipeline run a decision
// without a promise, a continuation or a microtask turn; only a step that really waits makes
// the rest of the decision asynchronous (README Decisions: the sync-or-promise contract).
export type MaybePromise<T> = T | Promise<T>;

export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return value instanceof Promise;
}
