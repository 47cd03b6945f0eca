import type { LimitState } from "./limiter-port.ts";

// draft-ietf-httpapi-ratelimit-headers-10: both fields are Structured-Field Lists of Strings
// with parameters. Limit names are validated identifiers, but they are escaped anyway.

function sfString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, "")}"`;
}

function seconds(value: number): number {
  return Math.max(0, Math.ceil(value));
}

export function rateLimitPolicyHeader(states: readonly LimitState[]): string {
  return states.map((s) => `${sfString(s.name)};q=${s.quota};w=${Math.max(1, seconds(s.windowSeconds))}`).join(", ");
}

export function rateLimitHeader(states: readonly LimitState[]): string {
  return states.map((s) => `${sfString(s.name)};r=${Math.max(0, Math.floor(s.remaining))};t=${seconds(s.resetSeconds)}`).join(", ");
}

// Retry-After must not point earlier than any `t` we send on the 429 (RFC 9110 delay-seconds).
export function retryAfterSeconds(violated: readonly LimitState[], fallbackSeconds: number): number {
  const longest = violated.reduce((max, s) => Math.max(max, seconds(s.resetSeconds)), 0);
  return Math.max(1, longest, seconds(fallbackSeconds));
}
