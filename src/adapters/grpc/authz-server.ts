import { HealthImplementation } from "grpc-health-check";
import type { DecisionService } from "../../core/decision-service.ts";
import { checkCallHandler } from "./check-call.ts";
import { checkResponseEncoder } from "./check-response-encoder.ts";
import { checkRoute } from "./check-route.ts";
import { DeadlineQueue } from "./deadline-queue.ts";
import { GrpcServiceHost, type ServiceRegistrar } from "./grpc-service-host.ts";
import { createGrpcHttp2Server } from "./http2-grpc-server.ts";

// The gRPC edge: envoy.service.auth.v3.Authorization/Check and grpc.health.v1.Health (plus what
// `configure` adds, e.g. Envoy's Access Log Service), on one node:http2 server per listener
// (README Decisions, "Our own gRPC edge": grpc-js's server cost about as much per call as a whole
// no-op handler).
// Check always answers with a CheckResponse carrying an explicit status, including when the
// decision misses the caller's deadline, the server is overloaded, or the pipeline has a bug.

export interface AuthzServerOptions {
  readonly tcp: string | undefined; // host:port; port 0 picks a free one
  readonly reusePort?: boolean; // let other processes listen on the same port (the kernel spreads connections)
  readonly uds: string | undefined; // filesystem path of a Unix domain socket
  readonly maxInFlight: number;
  readonly maxReceiveBytes: number; // larger CheckRequests are answered 413 request_too_large
  readonly service: DecisionService; // admit → decide → record, for every Check
  // Adds further services (e.g. Envoy's Access Log Service) before the server binds.
  readonly configure?: (server: ServiceRegistrar) => void;
}

export interface AuthzServer {
  readonly tcpPort: number | undefined;
  setServing(serving: boolean): void;
  shutdown(graceMs: number): Promise<void>;
}

const AUTH_SERVICE = "envoy.service.auth.v3.Authorization";
const CHECK_PATH = `/${AUTH_SERVICE}/Check`;

export async function startAuthzServer(options: AuthzServerOptions): Promise<AuthzServer> {
  const check = checkCallHandler({
    service: options.service,
    maxInFlight: options.maxInFlight,
    maxReceiveBytes: options.maxReceiveBytes,
    deadlines: new DeadlineQueue(),
    encode: checkResponseEncoder(),
  });
  const host = new GrpcServiceHost();
  const health = new HealthImplementation({ "": "NOT_SERVING", [AUTH_SERVICE]: "NOT_SERVING" });
  health.addToServer(host);
  options.configure?.(host);
  const routes = new Map(host.routes());
  routes.set(CHECK_PATH, checkRoute(check, options.maxReceiveBytes));
  const server = createGrpcHttp2Server(routes);

  let tcpPort: number | undefined;
  try {
    if (options.tcp !== undefined) tcpPort = await server.listenTcp(options.tcp, options.reusePort ?? false);
    if (options.uds !== undefined) await server.listenUnix(options.uds);
  } catch (error) {
    await server.shutdown(0);
    throw error;
  }

  return {
    tcpPort,
    setServing(serving: boolean): void {
      const status = serving ? "SERVING" : "NOT_SERVING";
      health.setStatus("", status);
      health.setStatus(AUTH_SERVICE, status);
    },
    shutdown: (graceMs) => server.shutdown(graceMs),
  };
}
