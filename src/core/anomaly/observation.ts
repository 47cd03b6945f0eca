import { boundText } from "../audit/bounded-text.ts";
import { hmacHex, type AuditHmacKey } from "../audit/input-hmac.ts";
import { FIELD_BYTES } from "../audit/record.ts";
import type { Decision } from "../decision.ts";
import type { Identity } from "../identity/identity.ts";
import { sha256Digest as digest } from "../limit/key-digest.ts";
import type { PolicyRef } from "../policy/types.ts";
import { httpStatusOf } from "../reason.ts";
import { sourceNetwork } from "./source-network.ts";

// What the anomaly rules see of one decision (or of one model response joined to its
// decision). Online it is built from the Decision, offline from the decision's audit record;
// both render the identity exactly as the audit record does (pseudonymous subject, bounded
// fields), so the identity digests, and therefore the alerts, are the same either way.

export interface ObservedIdentity {
  readonly method: string;
  readonly subject: string;
  readonly issuer: string;
  readonly keyId: string;
}

export interface AnomalyObservation {
  readonly kind: "decision" | "outcome";
  readonly time: number; // epoch ms of the decision, for an outcome too: both land in its windows
  readonly identity: ObservedIdentity;
  readonly identityKey: string; // digest; the Redis hash tag
  readonly credentialKey: string; // digest of the credential the sharing rule counts sources for
  readonly model: string | undefined;
  readonly network: string | undefined;
  readonly bad: boolean; // a denial (or model error) the probing rule counts
  readonly decisionId: string;
  readonly requestId: string;
  readonly policy: PolicyRef | undefined;
}

export interface IdentityRendering {
  readonly subjects: "plain" | "hmac";
  readonly hmacKey: AuditHmacKey | undefined; // required for "hmac"
}

// Same rendering as record.ts: HMAC'd subject when configured, every field bounded.
export function renderIdentity(identity: Identity, rendering: IdentityRendering): ObservedIdentity {
  const key = rendering.hmacKey;
  const subject =
    rendering.subjects === "hmac" && key !== undefined && identity.subject !== ""
      ? `hmac-sha256:${hmacHex(key, `subject\u0000${identity.subject}`)}`
      : identity.subject;
  return {
    method: identity.method,
    subject: boundText(subject, FIELD_BYTES.subject).text,
    issuer: boundText(identity.issuer, FIELD_BYTES.issuer).text,
    keyId: boundText(identity.keyId, FIELD_BYTES.keyId).text,
  };
}

export function identityKeyOf(who: ObservedIdentity): string {
  return digest(`i:${who.method}\u0000${who.issuer}\u0000${who.subject}`);
}

// The sharing rule's unit: an API key or a client certificate itself (a subject may own
// several keys), else the identity (a JWT's `kid` names the issuer's key, not the caller's).
export function credentialKeyOf(who: ObservedIdentity): string {
  const own = who.method === "apikey" || who.method === "mtls" ? who.keyId : "";
  return digest(`c:${who.method}\u0000${who.issuer}\u0000${who.subject}\u0000${own}`);
}

export function memberDigest(text: string): string {
  return digest(`m:${text}`);
}

// Anonymous callers are one bucket for everyone, so no rule can say anything about them.
export function isObservable(who: ObservedIdentity): boolean {
  return who.method !== "anonymous" && (who.subject !== "" || who.keyId !== "");
}

export interface DecisionFactsForAnomaly {
  readonly who: ObservedIdentity;
  readonly time: number;
  readonly model: string | undefined;
  readonly sourceAddress: string | undefined;
  readonly bad: boolean;
  readonly decisionId: string;
  readonly requestId: string;
  readonly policy: PolicyRef | undefined;
}

export function observation(f: DecisionFactsForAnomaly): AnomalyObservation | undefined {
  if (!isObservable(f.who)) return undefined;
  return {
    kind: "decision",
    time: f.time,
    identity: f.who,
    identityKey: identityKeyOf(f.who),
    credentialKey: credentialKeyOf(f.who),
    model: f.model === undefined || f.model === "" ? undefined : f.model,
    network: sourceNetwork(f.sourceAddress),
    bad: f.bad,
    decisionId: f.decisionId,
    requestId: f.requestId,
    policy: f.policy,
  };
}

// The source address is the one the audit record carries: the peer Envoy saw.
export function observeDecision(
  decision: Decision,
  rendering: IdentityRendering,
  denialStatuses: readonly number[],
): AnomalyObservation | undefined {
  if (decision.identity === undefined) return undefined;
  const sourceAddress = decision.request?.peer.address;
  return observation({
    who: renderIdentity(decision.identity, rendering),
    time: decision.decidedAt,
    model: decision.target === undefined ? undefined : boundText(decision.target.model, FIELD_BYTES.model).text,
    sourceAddress: sourceAddress === undefined ? undefined : boundText(sourceAddress, FIELD_BYTES.sourceAddress).text,
    bad: !decision.allowed && denialStatuses.includes(httpStatusOf(decision.reason)),
    decisionId: decision.id,
    requestId: decision.requestId,
    policy: decision.policy,
  });
}

// A model response counted against the decision it answered.
export function outcomeObservation(decision: AnomalyObservation): AnomalyObservation {
  return { ...decision, kind: "outcome", bad: true };
}
