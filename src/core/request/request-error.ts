import type { DenyReason } from "../reason.ts";
import { err } from "../result.ts";

// Why a request could not be normalised or resolved. `detail` is for logs and `modelgate check`;
// it may quote request text, so callers must escape it before logging.
export interface RequestError {
  readonly reason: DenyReason;
  readonly detail: string;
}

export function requestError(reason: DenyReason, detail: string): { readonly ok: false; readonly error: RequestError } {
  return err({ reason, detail });
}
