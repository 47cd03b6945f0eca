import { randomUUID } from "node:crypto";
import { lstatSync, unlinkSync } from "node:fs";
import type { Config } from "../config/config.ts";
import type { Issue } from "../core/result.ts";
import { startAuthzServer, type AuthzServer, type AuthzServerOptions } from "../adapters/grpc/authz-server.ts";
import { createJsonLogger, type Logger } from "../adapters/log/json-logger.ts";
import type { LogLevel } from "../core/log-level.ts";
import { createMetrics, type Metrics } from "../adapters/metrics/metrics.ts";
import { startOpsServer, type OpsServer } from "../adapters/ops/ops-server.ts";
import { createEngine, type Engine, type EngineExtras } from "./decision-engine.ts";
import { createProductionAdapters, type ProductionAdapters } from "./production-adapters.ts";
import { registerJwtMetrics } from "../adapters/jwt/jwt-metrics.ts";
import { startAudit, type AuditRuntime } from "./start-audit.ts";
import { startAnomalyDetection, type AnomalyRuntime } from "./start-anomaly.ts";
import { sanctionResponder } from "../adapters/anomaly/sanction-responder.ts";
import { replicaIdFrom } from "../core/audit/audit-config.ts";
import { createDecisionService } from "./decision-service.ts";
import { readiness } from "./readiness.ts";

// The composition root of `modelgate serve`, in the order the server starts: configuration →
// Kubernetes and Redis (production-adapters.ts) → the decision engine (decision-engine.ts) →
// audit log (start-audit.ts) → anomaly detection (start-anomaly.ts) → the gRPC Check server with
// its decision service (decision-service.ts) and the ops server. `modelgate serve` (src/cli/serve-command.ts) keeps flags and signals.

export interface RunningServer {
  readonly grpcPort: number | undefined;
  readonly opsPort: number;
  readonly engine: Engine;
  readonly metrics: Metrics;
  stop(): Promise<void>;
}

export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => `  ${i.path}: ${i.message}`).join("\n");
}

function engineFor(config: Config, logger: Logger, metrics: Metrics, extras: EngineExtras): Engine {
  return createEngine(
    config,
    {
      loaded: (kind, summary) => {
        metrics.sourceLoaded(kind, summary.count);
        logger.info(`${kind} loaded`, { count: summary.count, ...summary.detail });
        for (const warning of summary.warnings ?? []) logger.warn(`${kind} warning`, { warning });
      },
      rejected: (kind, issues, serving) => {
        metrics.sourceRejected(kind);
        // At start-up there is no last good version: the server stops instead (see startServer).
        logger.error(
          serving ? `${kind} rejected; the last good version keeps serving` : `${kind} rejected; nothing of it was loaded before`,
          { issues },
        );
      },
      jwks: (event) =>
        event.kind === "loaded"
          ? logger.info("jwks loaded", { issuer: event.issuer, keys: event.keys, changed: event.changed, skipped: event.skipped })
          : logger.warn("jwks load failed", { issuer: event.issuer, error: event.error, serving: event.serving }),
    },
    { now: Date.now, newId: randomUUID },
    extras,
  );
}

function removeStaleSocket(path: string | undefined): void {
  if (path === undefined) return;
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // absent: nothing to remove
  }
}

function warnAboutEmbeddedDefaults(config: Config, logger: Logger): void {
  if (config.policySource === "files" && config.policyFiles.length === 0)
    logger.warn("no policy files configured: every request is denied");
  if (config.redisLimiter === undefined) logger.warn("rate limits use the in-process limiter: each replica counts on its own");
}

// How long start-up waits for Redis before listening anyway (not ready until Redis answers).
const REDIS_READY_MS = 2000;

interface Backends {
  readonly engine: Engine;
  readonly adapters: ProductionAdapters;
  readonly audit: AuditRuntime;
  readonly anomaly: AnomalyRuntime | undefined;
  close(graceMs: number): Promise<void>;
}

// Everything behind the Check handler, started in dependency order; a failure unwinds what started.
async function startBackends(config: Config, logger: Logger, metrics: Metrics): Promise<Backends> {
  const replica = replicaIdFrom(process.env);
  const adapters = createProductionAdapters(config, { registry: metrics.registry, logger, replica });
  if (!adapters.ok) throw new StartupError(`cannot connect to Kubernetes: ${formatIssues(adapters.error).trim()}`);
  const engine = engineFor(config, logger, metrics, adapters.value.extras);
  if (!engine.loadAll()) {
    await adapters.value.close();
    throw new StartupError("policies, API keys or the CA bundle could not be loaded");
  }
  warnAboutEmbeddedDefaults(config, logger);
  // Until Redis has been reached, limited requests are 503 and /readyz says not ready; a normal
  // start waits here so that it is ready the moment it listens.
  const redis = adapters.value.redis;
  if (redis !== undefined && !(await redis.ready(REDIS_READY_MS))) {
    logger.error("rate limiter: Redis not reached; /readyz answers 503 and limited requests are denied until it is", {
      within_ms: REDIS_READY_MS,
    });
  }
  // JWKS loading runs in the background: an IdP outage must not keep the sidecar unready.
  void engine.start({ watchFiles: config.watchFiles });
  const jwt = engine.jwt;
  if (jwt !== undefined) registerJwtMetrics(metrics.registry, { status: () => jwt.status(), cache: jwt.cache });
  const audit = await startAudit(config.audit, { registry: metrics.registry, logger, replica, now: Date.now });
  if (!audit.ok) {
    await engine.close();
    await adapters.value.close();
    throw new StartupError(`the audit log cannot start: ${audit.error}`);
  }
  const anomaly = await startAnomaly(config, logger, metrics, audit.value, engine);
  return {
    engine,
    adapters: adapters.value,
    audit: audit.value,
    anomaly,
    close: async (graceMs) => {
      const started = Date.now();
      await anomaly?.close(1000);
      const flushed = await audit.value.close(Math.max(1000, graceMs - (Date.now() - started)));
      if (flushed.lost > 0) logger.error("audit records lost at shutdown", { lost: flushed.lost });
      await engine.close();
      await adapters.value.close();
    },
  };
}

function startAnomaly(
  config: Config,
  logger: Logger,
  metrics: Metrics,
  audit: AuditRuntime,
  engine: Engine,
): Promise<AnomalyRuntime | undefined> {
  if (config.anomaly === undefined) return Promise.resolve(undefined);
  if (config.anomaly.enabled && config.redisLimiter === undefined) {
    logger.warn("anomaly blocks and lowered limits apply only on the replica that raised them: the rate limiter is in-process");
  }
  return startAnomalyDetection(config.anomaly, {
    registry: metrics.registry,
    logger,
    now: Date.now,
    record: (event) => void audit.writer.record(event),
    responder: sanctionResponder(engine.sanctions),
    policyResponses: (ref) => engine.ports.policies()?.anomalyResponses(ref.namespace, ref.name),
    rendering: { subjects: config.audit.subjects, hmacKey: audit.hmacKey },
    joinsOutcomes: config.audit.outcomes.enabled,
  });
}

// The Check server: the transport settings, and one decision service (decision-service.ts) that
// decides and records each request.
function checkOptions(config: Config, backends: Backends, logger: Logger, metrics: Metrics): AuthzServerOptions {
  const { engine, audit, anomaly } = backends;
  return {
    tcp: config.listen,
    reusePort: config.reusePort,
    uds: config.socket,
    maxInFlight: config.maxInFlight,
    maxReceiveBytes: config.maxReceiveBytes,
    service: createDecisionService({
      ports: engine.ports,
      audit: audit.recorder,
      anomaly: anomaly?.detector,
      metrics,
      logger,
      now: Date.now,
      newId: randomUUID,
    }),
    ...(config.audit.outcomes.enabled
      ? { configure: (server) => audit.addAccessLogService(server, (o) => anomaly?.detector.observeOutcome(o.requestId, o.responseCode)) }
      : {}),
  };
}

const HEALTH_SYNC_MS = 500;

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const metrics = createMetrics();
  const backends = await startBackends(config, logger, metrics);
  const ready = () =>
    readiness({
      policiesLoaded: backends.engine.ports.policies() !== undefined,
      auditAccepting: backends.audit.writer.healthy() || config.audit.failMode === "open",
      limiterReady: backends.adapters.redis?.backendReady() ?? true,
    });
  removeStaleSocket(config.socket);
  let grpc: AuthzServer;
  let ops: OpsServer;
  try {
    grpc = await startAuthzServer(checkOptions(config, backends, logger, metrics));
    ops = await startOpsServer({ listen: config.metricsListen, registry: metrics.registry, ready });
  } catch (error) {
    await backends.close(1000);
    throw new StartupError(`cannot listen: ${(error as Error).message}`);
  }
  // grpc.health.v1 tells the same as /readyz: Envoy's gRPC health checks and kubelet's grpc
  // probes must not see SERVING while a replica would answer not_ready or limiter_unavailable.
  const syncHealth = () => grpc.setServing(ready().ready);
  syncHealth();
  const healthTimer = setInterval(syncHealth, HEALTH_SYNC_MS);
  healthTimer.unref();
  metrics.setReady(true, () => ready().ready);
  logger.info("serving", {
    grpc: config.listen,
    grpc_port: grpc.tcpPort,
    socket: config.socket,
    ops_port: ops.port,
    model: config.model,
    protocol: config.protocol,
  });
  return {
    grpcPort: grpc.tcpPort,
    opsPort: ops.port,
    engine: backends.engine,
    metrics,
    stop: async () => {
      clearInterval(healthTimer);
      grpc.setServing(false);
      metrics.setReady(false);
      const started = Date.now();
      await grpc.shutdown(config.shutdownGraceMs);
      await backends.close(config.shutdownGraceMs - (Date.now() - started));
      await ops.close();
      logger.info("stopped");
    },
  };
}

export class StartupError extends Error {
  override readonly name = "StartupError";
}

// The server's log: JSON lines at the configured level.
export function createServerLogger(level: LogLevel, write: (line: string) => void): Logger {
  return createJsonLogger(level, write);
}
