import type { ProtocolName } from "../core/model-action.ts";
import type { RoutingHeader } from "../core/request/routing-headers.ts";
import type { IdentityConfig } from "./parse-identity.ts";
import type { AuditConfig } from "../core/audit/audit-config.ts";
import type { KubernetesConfig } from "../core/kubernetes-config.ts";
import type { RedisLimiterConfig } from "../core/limit/redis-limiter-config.ts";
import type { AnomalyConfig } from "../core/anomaly/anomaly-config.ts";
import type { LogLevel } from "../core/log-level.ts";

// Where policies (and keys) come from.
export type PolicySource = "files" | "kubernetes";

// The whole runtime configuration, frozen after parsing. File paths are absolute.
export interface Config {
  readonly listen: string; // host:port for gRPC over TCP
  readonly reusePort: boolean; // several processes may listen on `listen`'s port (SO_REUSEPORT)
  readonly socket: string | undefined; // Unix domain socket path for gRPC (what the injected Envoy uses)
  readonly metricsListen: string; // host:port for /metrics, /healthz, /readyz
  readonly model: string; // the Deployment's own model; default for requests that name none
  readonly protocol: ProtocolName;
  readonly routingHeader: RoutingHeader | undefined; // the header the serving stack routes on (Seldon, ModelMesh, Ray)
  readonly environment: string; // exposed to CEL as request.environment
  readonly namespace: string; // policies outside this namespace are ignored
  readonly policyFiles: readonly string[];
  readonly keyFiles: readonly string[];
  readonly identity: IdentityConfig;
  readonly audit: AuditConfig;
  readonly redisLimiter: RedisLimiterConfig | undefined; // undefined: the in-process limiter
  readonly anomaly: AnomalyConfig | undefined; // undefined: no anomaly detection
  readonly policySource: PolicySource;
  readonly kubernetes: KubernetesConfig;
  readonly maxInFlight: number;
  readonly maxReceiveBytes: number;
  readonly shutdownGraceMs: number;
  readonly logLevel: LogLevel;
  readonly watchFiles: boolean;
}
