import type { Writable } from "node:stream";
import type { SealedRecord } from "../../core/audit/chain.ts";
import type { AuditSink } from "../../core/audit/sink.ts";
import { batchBytes } from "./batch-bytes.ts";

// JSON lines on a stream: stdout by default (the container runtime collects it), or any
// Writable. A batch is one write; `append` resolves when the stream has handed it to the OS and
// rejects when the stream fails (EPIPE on a closed pipe, a destroyed stream).
//
// Note: Node writes to stdout synchronously when it is a file or (on Linux) a pipe, so a reader
// that stops reading stalls the whole process, not only the audit writer; use the file or Redis
// sink where a hung consumer must turn into fast 503s instead.

export function createStreamSink(name: string, stream: Writable): AuditSink {
  let failure: Error | undefined;
  // An 'error' event without a listener would crash the process; it becomes a failed append.
  const onError = (error: Error): void => {
    failure = error;
  };
  stream.on("error", onError);
  return {
    name,
    append(records: readonly SealedRecord[]): Promise<void> {
      if (failure !== undefined) return Promise.reject(failure);
      const data = batchBytes(records);
      return new Promise((resolve, reject) => {
        stream.write(data, (error) => (error ? reject(error) : resolve()));
      });
    },
    resume: () => Promise.resolve(undefined),
    close(): Promise<void> {
      stream.off("error", onError);
      return Promise.resolve();
    },
  };
}

export function stdoutSink(): AuditSink {
  return createStreamSink("stdout", process.stdout);
}
