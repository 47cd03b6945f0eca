import type { AnomalyFinding } from "../anomaly/finding.ts";
import { FieldBounds } from "./bounded-text.ts";
import type { JsonObject } from "./canonical-json.ts";
import { isoTime, wholeNumber, type AuditEvent } from "./event.ts";
import { FIELD_BYTES } from "./record.ts";

// The `anomaly` audit record: one per alert, raised by exactly one replica (the one that
// claimed the rule's cooldown in Redis). It names the identity as decision records do, the
// window and the numbers that crossed the threshold, the response taken and the decision that
// tipped it over — so the alert can be traced back to the decisions in the same chain.

function identity(f: AnomalyFinding, b: FieldBounds): JsonObject {
  return {
    method: b.text("identity.method", f.identity.method, FIELD_BYTES.identitySource),
    subject: b.text("identity.subject", f.identity.subject, FIELD_BYTES.subject),
    issuer: b.text("identity.issuer", f.identity.issuer, FIELD_BYTES.issuer),
    key_id: b.text("identity.key_id", f.identity.keyId, FIELD_BYTES.keyId),
  };
}

function counts(values: Readonly<Record<string, number>>): JsonObject {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, wholeNumber(v)]));
}

function response(f: AnomalyFinding, now: number): JsonObject {
  const r = f.response;
  return {
    action: r.action,
    period_ms: wholeNumber(r.periodMs),
    limit_factor_permille: wholeNumber(Math.round(r.limitFactor * 1000)),
    until: r.action === "alert" ? null : isoTime(now + r.periodMs),
  };
}

export function anomalyEvent(f: AnomalyFinding, now: number): AuditEvent {
  const b = new FieldBounds();
  const policy = f.policy;
  return {
    type: "anomaly",
    time: isoTime(now),
    rule: f.rule,
    identity: identity(f, b),
    window: { start: isoTime(f.windowStart), ms: wholeNumber(f.windowMs) },
    observed: counts(f.observed),
    threshold: counts(f.threshold),
    response: response(f, now),
    trigger: {
      decision_id: b.text("trigger.decision_id", f.decisionId, FIELD_BYTES.decisionId),
      request_id: b.text("trigger.request_id", f.requestId, FIELD_BYTES.requestId),
      time: isoTime(f.time),
    },
    policy:
      policy === undefined
        ? null
        : {
            namespace: b.text("policy.namespace", policy.namespace, FIELD_BYTES.policyPart),
            name: b.text("policy.name", policy.name, FIELD_BYTES.policyPart),
            generation: wholeNumber(policy.generation),
            rule: b.text("policy.rule", policy.rule, FIELD_BYTES.policyPart),
          },
    truncated: b.truncated,
  };
}
