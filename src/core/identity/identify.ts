import { ANONYMOUS } from "./identity.ts";
import type { Identity, SourceOutcome } from "./identity.ts";
import { isPromise, type MaybePromise } from "../maybe-promise.ts";
import type { DenyReason } from "../reason.ts";
import type { NormalizedRequest } from "../request/normalized-request.ts";
import { sanitizeHeaderValue } from "./sanitize.ts";
import type { IdentitySource } from "./sources.ts";

export type IdentifyOutcome =
  | { readonly kind: "identified"; readonly identity: Identity; readonly source: string }
  // No source found its credential; the policy decides whether anonymous callers may proceed.
  | { readonly kind: "anonymous"; readonly identity: Identity }
  | {
      readonly kind: "rejected";
      readonly reason: DenyReason;
      readonly scheme: string;
      readonly detail: string;
      readonly source: string;
      readonly challenge: string; // WWW-Authenticate value for the 401
    };

export interface ChallengeOptions {
  readonly realm?: string; // default "modelgate"
  readonly rejected?: { readonly scheme: string; readonly reason: DenyReason };
}

const ANONYMOUS_OUTCOME: IdentifyOutcome = Object.freeze({ kind: "anonymous", identity: ANONYMOUS });
// RFC 9110 §5.6.2 token: what an auth-scheme may be.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// Sources run in configured order and the first one whose credential is present decides.
// A present-but-invalid credential is final: it never falls through to a later source or to
// anonymous, or a bad key plus a policy that admits anonymous callers would be a bypass.
// Synchronous unless a source has to wait (a JWT whose issuer keys are being fetched).
export function identify(sources: readonly IdentitySource[], req: NormalizedRequest, now: number): MaybePromise<IdentifyOutcome> {
  return identifyFrom(sources, 0, req, now);
}

function identifyFrom(
  sources: readonly IdentitySource[],
  first: number,
  req: NormalizedRequest,
  now: number,
): MaybePromise<IdentifyOutcome> {
  for (let i = first; i < sources.length; i++) {
    const source = sources[i] as IdentitySource;
    const outcome = source.identify(req, now);
    if (isPromise(outcome)) {
      return outcome.then((waited) => concluded(sources, source, waited) ?? identifyFrom(sources, i + 1, req, now));
    }
    const decided = concluded(sources, source, outcome);
    if (decided !== undefined) return decided;
  }
  return ANONYMOUS_OUTCOME;
}

// What one source's outcome means for the request; undefined when its credential is absent.
function concluded(sources: readonly IdentitySource[], source: IdentitySource, outcome: SourceOutcome): IdentifyOutcome | undefined {
  if (outcome.kind === "identified") return { kind: "identified", identity: outcome.identity, source: source.name };
  if (outcome.kind === "rejected") {
    const { reason, scheme, detail } = outcome;
    const challenge = challengeFor(sources, { rejected: { scheme, reason } });
    return { kind: "rejected", reason, scheme, detail, source: source.name, challenge };
  }
  return undefined;
}

// One WWW-Authenticate value listing a challenge per distinct scheme (RFC 9110 §11.6.1 allows
// several, comma-separated). The scheme of a rejected credential comes first and carries RFC 6750
// error parameters with the reason code as error_description. "" when there is no scheme at all.
export function challengeFor(sources: readonly Pick<IdentitySource, "scheme">[], options: ChallengeOptions = {}): string {
  const realm = `realm=${quoted(options.realm ?? "modelgate")}`;
  const rejected = options.rejected;
  const schemes = [...new Set([rejected?.scheme, ...sources.map((s) => s.scheme)])];
  const challenges: string[] = [];
  for (const scheme of schemes) {
    if (scheme === undefined || !TOKEN.test(scheme)) continue;
    const error = scheme === rejected?.scheme ? `, error="invalid_token", error_description=${quoted(rejected.reason)}` : "";
    challenges.push(`${scheme} ${realm}${error}`);
  }
  return challenges.join(", ");
}

// RFC 9110 quoted-string: no controls (sanitized away), backslash-escape `"` and `\`.
function quoted(value: string): string {
  return `"${sanitizeHeaderValue(value, 128).replace(/["\\]/g, "\\$&")}"`;
}
