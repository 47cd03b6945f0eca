import type { SourceOutcome } from "./identity.ts";
import type { NormalizedRequest } from "../request/normalized-request.ts";

// One way of establishing who is calling (API key, JWT, mTLS). Sources are plain values so the
// identify step can run any list of them in configured order; `identify` must not throw —
// every problem with a presented credential is a `rejected` outcome.
export interface IdentitySource {
  readonly name: string; // names the source in decisions, audit and metrics, e.g. "apikey"
  readonly scheme: string; // WWW-Authenticate scheme advertised in a 401, e.g. "ApiKey" or "Bearer"
  // Every request header this source reads a credential from (lower case). On allow, the union
  // over all configured sources is removed before the request goes upstream, whichever source
  // decided: a credential the decision did not use must not reach the model server either.
  readonly credentialHeaders: readonly string[];
  identify(req: NormalizedRequest, now: number): SourceOutcome | Promise<SourceOutcome>;
}

export const ABSENT: SourceOutcome = Object.freeze({ kind: "absent" });

const BEARER = "bearer";

// The token of an `Authorization: Bearer …` header ("" when the token is missing), or undefined
// when the header is absent or uses another scheme. Shared by the API key source (mgk_ tokens)
// and JWT sources (everything else), which split Bearer tokens between them by prefix.
// Scanned by hand: a regex with optional whitespace on both sides of the token backtracks
// quadratically on a 60 KiB header of spaces.
export function bearerToken(headers: ReadonlyMap<string, string>): string | undefined {
  const value = headers.get("authorization");
  if (value === undefined) return undefined;
  const text = trimOws(value);
  // RFC 6750 §2.1: the scheme is case-insensitive, then at least one space, then the token.
  if (text.slice(0, BEARER.length).toLowerCase() !== BEARER) return undefined;
  const rest = text.slice(BEARER.length);
  if (rest !== "" && rest[0] !== " " && rest[0] !== "\t") return undefined;
  return trimOws(rest);
}

// HTTP drops optional whitespace around field values; a copy that kept it must not differ.
export function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return value.slice(start, end);
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}
