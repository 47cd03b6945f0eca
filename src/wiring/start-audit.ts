import type * as grpc from "@grpc/grpc-js";
import type { Registry } from "prom-client";
import type { AuditConfig } from "../core/audit/audit-config.ts";
import type { CheckpointSigner } from "../core/audit/checkpoint.ts";
import type { AuditHmacKey } from "../core/audit/input-hmac.ts";
import { OutcomeJoin } from "../core/audit/outcome-join.ts";
import type { AuditSink } from "../core/audit/sink.ts";
import { WITNESS_FIELD } from "../core/audit/verify.ts";
import { err, ok, type Result } from "../core/result.ts";
import type { Logger } from "../adapters/log/json-logger.ts";
import { addAccessLogService } from "../adapters/audit/als-service.ts";
import type { AccessOutcome } from "../core/audit/outcome-record.ts";
import { ephemeralHmacKey, readHmacKey, readSigningKey } from "../adapters/audit/audit-keys.ts";
import { registerAuditMetrics, type AuditMetrics } from "../adapters/audit/audit-metrics.ts";
import { AuditRecorder } from "../adapters/audit/audit-recorder.ts";
import { startAuditWriter, type AuditWriter } from "../adapters/audit/audit-writer.ts";
import { createFileSink } from "../adapters/audit/file-sink.ts";
import { connectAuditRedis, createRedisSink } from "../adapters/audit/redis-sink.ts";
import { stdoutSink } from "../adapters/audit/stream-sink.ts";

// Builds the audit log from its configuration: keys, sink, writer, recorder, and the outcome
// join for the Access Log Service. One call for the server (start-server.ts).

export interface AuditStartDeps {
  readonly registry: Registry;
  readonly logger: Logger;
  readonly replica: string; // replicaIdFrom(process.env)
  readonly now: () => number;
}

export interface AuditRuntime {
  readonly recorder: AuditRecorder;
  readonly writer: AuditWriter;
  readonly metrics: AuditMetrics;
  // Adds envoy.service.accesslog.v3.AccessLogService to the gRPC server (outcomes.enabled).
  readonly hmacKey: AuditHmacKey; // for other records that must pseudonymise exactly like decisions
  // `also` sees every outcome too (e.g. the anomaly detector's model-error rule).
  addAccessLogService(server: Pick<grpc.Server, "addService">, also?: (outcome: AccessOutcome) => void): void;
  close(timeoutMs: number): Promise<{ readonly flushed: boolean; readonly lost: number }>;
}

const OUTCOME_EXPIRY_TICK_MS = 1000;
const REDIS_READY_MS = 2000;

export async function startAudit(config: AuditConfig, deps: AuditStartDeps): Promise<Result<AuditRuntime, string>> {
  const keys = await loadKeys(config, deps.logger);
  if (!keys.ok) return keys;
  const metrics = registerAuditMetrics(deps.registry);
  const onError = (message: string, error: unknown): void => deps.logger.error(message, error === undefined ? {} : { error });
  const sink = await createSink(config, deps.replica, onError);
  const witness = sink.name === "stdout" ? undefined : (line: string) => deps.logger.info("audit checkpoint", { [WITNESS_FIELD]: line });
  const writer = await startAuditWriter({
    sink,
    replica: deps.replica,
    chainId: config.chainId,
    signer: keys.value.signer,
    checkpoint: config.checkpoint,
    buffer: config.buffer,
    batch: config.batch,
    writeTimeoutMs: config.writeTimeoutMs,
    metrics,
    now: deps.now,
    onError,
    ...(witness === undefined ? {} : { onCheckpoint: witness }),
  });
  if (!writer.ok) return writer;
  const outcomes = config.outcomes.enabled
    ? new OutcomeJoin({ waitMs: config.outcomes.waitSeconds * 1000, maxPending: config.outcomes.maxPending })
    : undefined;
  const recorder = new AuditRecorder({
    writer: writer.value,
    hmacKey: keys.value.hmac,
    subjects: config.subjects,
    failMode: config.failMode,
    metrics,
    now: deps.now,
    outcomes,
  });
  const expiry = outcomes === undefined ? undefined : setInterval(() => recorder.expireOutcomes(), OUTCOME_EXPIRY_TICK_MS).unref();
  deps.logger.info("audit log started", {
    sink: sink.name,
    chain: writer.value.chain,
    resumed_at_seq: writer.value.head().seq,
    fail_mode: config.failMode,
  });
  return ok({
    recorder,
    writer: writer.value,
    metrics,
    hmacKey: keys.value.hmac,
    addAccessLogService: (server, also) =>
      addAccessLogService(server, {
        onOutcome: (o) => {
          recorder.recordOutcome(o);
          also?.(o);
        },
      }),
    close: async (timeoutMs) => {
      clearInterval(expiry);
      recorder.drainOutcomes();
      return writer.value.close(timeoutMs);
    },
  });
}

async function loadKeys(
  config: AuditConfig,
  logger: Logger,
): Promise<Result<{ hmac: AuditHmacKey; signer: CheckpointSigner | undefined }, string>> {
  const hmac = config.hmacKeyFile === "" ? ok(ephemeralHmacKey()) : await readHmacKey(config.hmacKeyFile);
  if (!hmac.ok) return err(`audit.hmacKeyFile: ${hmac.error}`);
  if (config.hmacKeyFile === "")
    logger.warn("audit.hmacKeyFile is not set: input hashes use a key that lives only as long as this process");
  if (config.signingKeyFile === "") {
    logger.warn("audit.signingKeyFile is not set: audit checkpoints are unsigned, so a rewritten tail cannot be detected");
    return ok({ hmac: hmac.value, signer: undefined });
  }
  const signer = await readSigningKey(config.signingKeyFile);
  return signer.ok ? ok({ hmac: hmac.value, signer: signer.value }) : err(`audit.signingKeyFile: ${signer.error}`);
}

async function createSink(config: AuditConfig, replica: string, onError: (message: string, error: unknown) => void): Promise<AuditSink> {
  switch (config.sink) {
    case "stdout":
      return stdoutSink();
    case "file":
      return createFileSink({ ...config.file, now: Date.now });
    case "redis": {
      const client = await connectAuditRedis(config.redis.url, config.writeTimeoutMs, REDIS_READY_MS);
      return createRedisSink({ client, key: config.redis.key, maxLen: config.redis.maxLen, replica, onError });
    }
  }
}
