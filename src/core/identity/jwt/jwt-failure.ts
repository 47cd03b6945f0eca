import type { DenyReason } from "../../reason.ts";

// Why a bearer token was not accepted: a reason code from the closed set and a short detail for
// the problem body and the decision log. Details never echo token content: kid, iss and claim
// values are attacker-chosen until the signature is verified.
export interface JwtFailure {
  readonly reason: JwtReason;
  readonly detail: string;
}

export type JwtReason = Extract<DenyReason, `jwt_${string}`>;

export function failure(reason: JwtReason, detail: string): JwtFailure {
  return { reason, detail };
}
