// A value-level outcome for operations that can fail on bad input; `throw` is reserved for bugs.
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

// A validation problem tied to where it was found, e.g. "spec.rules[2].limits[0].per".
export interface Issue {
  readonly path: string;
  readonly message: string;
}
