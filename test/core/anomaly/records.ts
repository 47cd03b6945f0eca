import { genesisHead, sealEvent, type ChainHead, type SealedRecord } from "../../../src/core/audit/chain.ts";
import type { AuditEvent } from "../../../src/core/audit/event.ts";
import { auditHmacKey, type AuditHmacKey } from "../../../src/core/audit/input-hmac.ts";
import { outcomeEvent } from "../../../src/core/audit/outcome-record.ts";
import { auditInputOf, buildAuditRecord } from "../../../src/core/audit/record.ts";
import type { Decision } from "../../../src/core/decision.ts";
import type { TrafficEvent } from "./patterns.ts";

// Crafted traffic as the audit log records it: decision records from buildAuditRecord and
// outcome records from outcomeEvent, sealed into a hash chain — what `audit analyze` reads.

export const HMAC_KEY: AuditHmacKey = auditHmacKey(new TextEncoder().encode("anomaly-test-hmac-key-0123456789abcdef"));

export function auditEventsOf(events: readonly TrafficEvent[], subjects: "plain" | "hmac" = "plain"): AuditEvent[] {
  const decisions = new Map<string, Decision>();
  return events.map((e) => {
    if (e.kind === "decision") {
      decisions.set(e.decision.requestId, e.decision);
      return buildAuditRecord(auditInputOf(e.decision, e.decision.request, 0.4), HMAC_KEY, e.decision.decidedAt, { subjects });
    }
    const d = decisions.get(e.requestId);
    if (d === undefined) throw new Error(`outcome before its decision: ${e.requestId}`);
    const pending = { decisionId: d.id, requestId: d.requestId, allowed: d.allowed, decidedAt: d.decidedAt };
    const outcome = {
      requestId: e.requestId,
      responseCode: e.code,
      responseCodeDetails: "via_upstream",
      responseFlags: [],
      requestBodyBytes: 100,
      responseBodyBytes: 200,
      durationMs: 30,
      startedAt: d.decidedAt,
    };
    return outcomeEvent(outcome, pending, e.at);
  });
}

export function sealAll(events: readonly AuditEvent[], chain: string): SealedRecord[] {
  let head: ChainHead = genesisHead(chain);
  return events.map((event) => {
    const sealed = sealEvent(head, event);
    head = sealed.head;
    return sealed.record;
  });
}
