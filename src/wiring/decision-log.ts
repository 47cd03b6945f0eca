import type { Decision } from "../core/decision.ts";
import { sanitizeHeaderValue } from "../core/identity/sanitize.ts";
import type { Logger } from "../adapters/log/json-logger.ts";

// One structured line per decision: denials at info, allows at debug (the tamper-evident
// audit trail is a separate sink). Never a credential; identity values are sanitised.
export function logDecision(logger: Logger, decision: Decision, durationMs: number): void {
  const level = decision.allowed ? "debug" : "info";
  if (!logger.enabled(level)) return;
  const policy = decision.policy;
  logger[level]("decision", {
    decision_id: decision.id,
    request_id: sanitizeHeaderValue(decision.requestId, 128),
    allowed: decision.allowed,
    reason: decision.reason,
    ...(decision.allowed ? {} : { detail: decision.detail }),
    auth_method: decision.identity?.method,
    subject: decision.identity === undefined ? undefined : sanitizeHeaderValue(decision.identity.subject),
    identity_source: decision.identitySource,
    // The key id (never the key) or JWT kid: with the time of the line, this is when a key was last used.
    key_id:
      decision.identity === undefined || decision.identity.keyId === "" ? undefined : sanitizeHeaderValue(decision.identity.keyId, 128),
    model: decision.target?.model,
    action: decision.target?.action,
    policy: policy === undefined ? undefined : `${policy.namespace}/${policy.name}`,
    rule: policy?.rule,
    limiter_mode: decision.rateLimit?.mode,
    duration_ms: Math.round(durationMs * 1000) / 1000,
  });
}
