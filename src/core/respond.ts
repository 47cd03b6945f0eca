import type { Decision, RateLimitOutcome } from "./decision.ts";
import { rateLimitHeader, rateLimitPolicyHeader, retryAfterSeconds } from "./limit/ratelimit-headers.ts";
import { REASONS, httpStatusOf } from "./reason.ts";
import { sanitizeHeaderValue } from "./identity/sanitize.ts";

// A transport-neutral answer: the gRPC adapter maps it 1:1 onto CheckResponse.

export type HeaderPair = readonly [name: string, value: string];

export interface AllowResponse {
  readonly allowed: true;
  readonly upstreamHeaders: readonly HeaderPair[]; // set with overwrite semantics
  readonly upstreamHeadersToRemove: readonly string[];
  readonly responseHeaders: readonly HeaderPair[]; // added to the client's response
}

export interface DenyResponse {
  readonly allowed: false;
  readonly httpStatus: number;
  readonly grpcCode: number;
  readonly headers: readonly HeaderPair[];
  readonly body: string;
}

export type AuthzResponse = AllowResponse | DenyResponse;

export const IDENTITY_HEADERS = ["x-modelgate-subject", "x-modelgate-auth-method", "x-modelgate-decision-id"] as const;

function grpcCodeFor(httpStatus: number): number {
  if (httpStatus === 401) return 16; // UNAUTHENTICATED
  if (httpStatus === 403) return 7; // PERMISSION_DENIED
  if (httpStatus === 429) return 8; // RESOURCE_EXHAUSTED
  if (httpStatus === 400 || httpStatus === 413) return 3; // INVALID_ARGUMENT
  return 14; // UNAVAILABLE
}

// Shadow limits are a dark launch: counted and logged, never shown to the client. On a 429 only
// the limits that denied are listed in RateLimit; in the penalty box every limit is (all at r=0).
function rateLimitPairs(rl: RateLimitOutcome | undefined, onlyViolated: boolean): HeaderPair[] {
  const visible = rl?.states.filter((s) => s.shadow !== true) ?? [];
  if (rl === undefined || visible.length === 0) return [];
  const shown = onlyViolated && rl.penaltyBox !== true ? visible.filter((s) => rl.violated.includes(s.name)) : visible;
  return [
    ["ratelimit-policy", rateLimitPolicyHeader(visible)],
    ["ratelimit", rateLimitHeader(shown)],
  ];
}

function allowResponse(decision: Decision & { allowed: true }): AllowResponse {
  const identity = decision.identity;
  const upstreamHeaders: HeaderPair[] = [
    ["x-modelgate-subject", sanitizeHeaderValue(identity?.subject ?? "")],
    ["x-modelgate-auth-method", identity?.method ?? "anonymous"],
    ["x-modelgate-decision-id", sanitizeHeaderValue(decision.id)],
  ];
  return {
    allowed: true,
    upstreamHeaders,
    upstreamHeadersToRemove: decision.credentialHeaders,
    responseHeaders: rateLimitPairs(decision.rateLimit, false),
  };
}

export function problemBody(decision: Decision & { allowed: false }, httpStatus: number): string {
  return JSON.stringify({
    type: `https://modelgate.io/problems/${decision.reason.replaceAll("_", "-")}`,
    title: REASONS[decision.reason].title,
    status: httpStatus,
    detail: decision.detail,
    reason: decision.reason,
    decision_id: decision.id,
  });
}

function denyResponse(decision: Decision & { allowed: false }): DenyResponse {
  const httpStatus = httpStatusOf(decision.reason);
  const headers: HeaderPair[] = [
    ["content-type", "application/problem+json"],
    ["x-modelgate-decision-id", sanitizeHeaderValue(decision.id)],
  ];
  const challenge = httpStatus === 401 ? sanitizeHeaderValue(decision.challenge ?? "", 1024) : "";
  if (challenge !== "") headers.push(["www-authenticate", challenge]);
  if (httpStatus === 429) {
    const rl = decision.rateLimit;
    const violated = rl?.states.filter((s) => rl.violated.includes(s.name) || (rl.penaltyBox === true && s.shadow !== true)) ?? [];
    headers.push(["retry-after", String(retryAfterSeconds(violated, rl?.retryAfterSeconds ?? 1))]);
    headers.push(...rateLimitPairs(rl, true));
  }
  return { allowed: false, httpStatus, grpcCode: grpcCodeFor(httpStatus), headers, body: problemBody(decision, httpStatus) };
}

export function respond(decision: Decision): AuthzResponse {
  return decision.allowed ? allowResponse(decision) : denyResponse(decision);
}
