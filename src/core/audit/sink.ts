import type { ChainHead, SealedRecord } from "./chain.ts";

// Where sealed audit records go. The writer (adapters/audit/audit-writer.ts) calls `append`
// with one batch at a time, never concurrently, and retries the same batch after a failure, so
// an implementation must make a retried append safe (no half-written or duplicated record, or
// a duplicate the verifier recognises as one).
export interface AuditSink {
  readonly name: string; // "stdout", "file", "redis": a metric label
  // Resolves once the records are as durable as this sink promises; rejects when they are not.
  append(records: readonly SealedRecord[]): Promise<void>;
  // The head of the chain this sink last wrote for `replica`, so a restart continues it;
  // undefined when the sink cannot tell (a new chain starts).
  resume(replica: string): Promise<ChainHead | undefined>;
  close(): Promise<void>;
}
