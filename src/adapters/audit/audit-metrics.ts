import { Counter, Gauge, type Registry } from "prom-client";
import type { AuditEventType } from "../../core/audit/event.ts";
import { talliedCounter } from "../metrics/tallied-counter.ts";

// Audit metrics, registered on the process registry by the wiring (src/wiring/start-audit.ts). Labels are closed
// sets (record type, rejection cause, outcome kind); never an identity, id or address.
// Together they answer "how blind are we": nothing is dropped without a counter moving.

export type RejectCause = "buffer_full" | "closing";
export type OutcomeKind = "joined" | "decision_missing" | "outcome_missing";

export interface AuditWriterGaugeSource {
  bufferedRecords(): number;
  bufferedBytes(): number;
  healthy(): boolean;
}

export interface AuditMetrics {
  accepted(type: AuditEventType): void;
  rejected(type: AuditEventType, cause: RejectCause): void;
  written(records: number): void;
  writeFailed(): void;
  checkpointed(): void;
  lost(records: number): void;
  failedClosed(): void; // an allowed decision answered audit_unavailable instead
  failedOpen(): void; // an allowed decision answered without an accepted record (failMode open)
  outcome(kind: OutcomeKind): void;
  watch(source: AuditWriterGaugeSource): void;
}

export function registerAuditMetrics(registry: Registry): AuditMetrics {
  const registers = [registry];
  // Offered once per decision: tallied, not hashed per increment (tallied-counter.ts).
  const records = talliedCounter({
    name: "modelgate_audit_records_total",
    help: "Audit records offered to the writer, by type and result",
    labelNames: ["type", "result"] as const,
    registers,
  });
  const rejected = new Counter({
    name: "modelgate_audit_rejected_total",
    help: "Audit records the writer could not take, by cause",
    labelNames: ["cause"] as const,
    registers,
  });
  const written = new Counter({ name: "modelgate_audit_records_written_total", help: "Audit records the sink confirmed", registers });
  const writeFailures = new Counter({
    name: "modelgate_audit_write_failures_total",
    help: "Failed sink writes (each is retried)",
    registers,
  });
  const checkpoints = new Counter({ name: "modelgate_audit_checkpoints_total", help: "Checkpoint records added to the chain", registers });
  const lost = new Counter({
    name: "modelgate_audit_records_lost_total",
    help: "Accepted records lost: still unwritten when shutdown's deadline passed, or not sealable (a bug)",
    registers,
  });
  const failMode = new Counter({
    name: "modelgate_audit_fail_mode_total",
    help: "Allowed decisions affected by an unavailable audit log, by fail mode",
    labelNames: ["mode"] as const,
    registers,
  });
  const outcomes = new Counter({
    name: "modelgate_audit_outcomes_total",
    help: "Access-log outcomes joined to decisions, or missing on either side",
    labelNames: ["kind"] as const,
    registers,
  });
  let source: AuditWriterGaugeSource | undefined;
  new Gauge({
    name: "modelgate_audit_buffer_records",
    help: "Audit records waiting to be written",
    registers,
    collect() {
      this.set(source?.bufferedRecords() ?? 0);
    },
  });
  new Gauge({
    name: "modelgate_audit_buffer_bytes",
    help: "Bytes of audit records waiting to be written",
    registers,
    collect() {
      this.set(source?.bufferedBytes() ?? 0);
    },
  });
  new Gauge({
    name: "modelgate_audit_healthy",
    help: "1 when the audit sink keeps up (0: allowed decisions fail closed or open)",
    registers,
    collect() {
      this.set(source === undefined || source.healthy() ? 1 : 0);
    },
  });

  return {
    accepted: (type) => {
      records(`${type}|accepted`).count += 1;
    },
    rejected: (type, cause) => {
      records(`${type}|rejected`).count += 1;
      rejected.inc({ cause });
    },
    written: (n) => written.inc(n),
    writeFailed: () => writeFailures.inc(),
    checkpointed: () => checkpoints.inc(),
    lost: (n) => lost.inc(n),
    failedClosed: () => failMode.inc({ mode: "closed" }),
    failedOpen: () => failMode.inc({ mode: "open" }),
    outcome: (kind) => outcomes.inc({ kind }),
    watch: (s) => {
      source = s;
    },
  };
}
