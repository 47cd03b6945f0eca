// Decision 3 says every Check is answered with a CheckResponse, and that includes a request
// over `maxReceiveBytes`: an RPC error would be let through by a `failure_mode_allow` Envoy. So
// the transport's own cap sits well above the limit; a message between the two is skipped
// unparsed (check-route.ts) and the handler gets a marker instead, answered 413
// `request_too_large`. Only a message above the transport cap (which bounds the memory one call
// can take) is refused with RESOURCE_EXHAUSTED.

const MIB = 1024 * 1024;

// Four times the limit, but never more than 64 MiB above it.
export function transportCapBytes(limitBytes: number): number {
  return Math.min(4 * limitBytes, limitBytes + 64 * MIB);
}

export interface OversizedRequest {
  readonly oversizedBytes: number;
}

export function isOversized(request: unknown): request is OversizedRequest {
  return typeof request === "object" && request !== null && typeof (request as Partial<OversizedRequest>).oversizedBytes === "number";
}
