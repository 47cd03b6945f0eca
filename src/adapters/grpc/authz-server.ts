import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import type { Decision } from "../../core/decision.ts";
import type { DecisionService } from "../../core/decision-service.ts";
import { respond } from "../../core/respond.ts";
import { loadAuthorizationProtos } from "./envoy-protos.ts";
import { DeadlineQueue, type DeadlineEntry } from "./deadline-queue.ts";
import { leanCheckCodec, type CheckCodec } from "./lean-check-codec.ts";
import { isOversized, limitRequestSize, transportCapBytes } from "./request-size.ts";

// The gRPC edge: envoy.service.auth.v3.Authorization/Check and grpc.health.v1.Health.
// Check always answers with a CheckResponse carrying an explicit status, including when the
// decision misses the caller's deadline, the server is overloaded, or the pipeline has a bug.

export interface AuthzServerOptions {
  readonly tcp: string | undefined; // host:port; port 0 picks a free one
  readonly uds: string | undefined; // filesystem path of a Unix domain socket
  readonly maxInFlight: number;
  readonly maxReceiveBytes: number; // larger CheckRequests are answered 413 request_too_large
  readonly service: DecisionService; // admit → decide → record, for every Check
  // Adds further services (e.g. Envoy's Access Log Service) before the server binds.
  readonly configure?: (server: grpc.Server) => void;
}

export interface AuthzServer {
  readonly tcpPort: number | undefined;
  setServing(serving: boolean): void;
  shutdown(graceMs: number): Promise<void>;
}

const AUTH_SERVICE = "envoy.service.auth.v3.Authorization";
// Answer before the caller gives up, so Envoy receives our denial rather than its own timeout.
// Our view of the deadline starts when the call arrives, a little after the caller's, so keep
// a share of the budget in reserve.
const DEADLINE_MARGIN_MIN_MS = 3;
const DEADLINE_MARGIN_SHARE = 0.1;

function deadlineMs(call: grpc.ServerUnaryCall<unknown, unknown>): number {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(at)) return Number.POSITIVE_INFINITY;
  const budget = at - Date.now();
  return budget - Math.max(DEADLINE_MARGIN_MIN_MS, budget * DEADLINE_MARGIN_SHARE);
}

function checkHandler(options: AuthzServerOptions, codec: CheckCodec) {
  const { service } = options;
  const deadlines = new DeadlineQueue();
  let inFlight = 0;
  return (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>): void => {
    const started = performance.now();
    const finish = (decision: Decision): void =>
      service.record(decision, performance.now() - started, (answer) =>
        callback(null, codec.response(respond(answer), answer.id, answer.reason)),
      );
    if (inFlight >= options.maxInFlight) {
      finish(service.deny("overloaded", `more than ${options.maxInFlight} checks in flight`));
      return;
    }
    if (isOversized(call.request)) {
      finish(
        service.deny(
          "request_too_large",
          `the CheckRequest is ${call.request.oversizedBytes} bytes; this server takes at most ${options.maxReceiveBytes}`,
        ),
      );
      return;
    }
    const refused = service.admit();
    if (refused !== undefined) {
      finish(refused);
      return;
    }
    inFlight += 1;
    const cancel = new AbortController();
    let settled = false;
    let deadline: DeadlineEntry | undefined;
    // The first of the decision, its failure and the deadline answers; the others find the
    // call settled. No promise joins them, so a decision costs no race, timer or `finally`.
    const settle = (decision: Decision): void => {
      if (settled) return;
      settled = true;
      if (deadline !== undefined) deadlines.remove(deadline);
      call.off("cancelled", cancelled);
      inFlight -= 1;
      try {
        finish(decision);
      } catch (error) {
        // A throw in the record phase is a bug to log, not an exception for grpc-js.
        service.failed(error);
      }
    };
    const cancelled = (): void => cancel.abort();
    call.once("cancelled", cancelled); // the caller gave up (grpc-js also says so after an answer)
    const missed = (): void => {
      cancel.abort();
      settle(service.deny("deadline_exceeded", "the decision missed the caller's deadline"));
    };
    const remainingMs = deadlineMs(call);
    if (remainingMs <= 0) return missed();
    const decided = service.decide(call.request, cancel.signal);
    if (!(decided instanceof Promise)) return settle(decided); // nothing had to wait
    decided.then(settle, (error: unknown) => {
      service.failed(error);
      settle(service.deny("internal_error", "the decision failed; see the server log"));
    });
    if (Number.isFinite(remainingMs)) deadline = deadlines.add(remainingMs, missed);
  };
}

function bind(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port)));
  });
}

export async function startAuthzServer(options: AuthzServerOptions): Promise<AuthzServer> {
  const server = new grpc.Server({
    "grpc.max_receive_message_length": transportCapBytes(options.maxReceiveBytes),
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.http2.min_ping_interval_without_data_ms": 10_000,
  });
  const codec = leanCheckCodec(loadAuthorizationProtos().service);
  server.addService(limitRequestSize(codec.service, "Check", options.maxReceiveBytes), { Check: checkHandler(options, codec) });
  const health = new HealthImplementation({ "": "NOT_SERVING", [AUTH_SERVICE]: "NOT_SERVING" });
  health.addToServer(server);
  options.configure?.(server);

  const tcpPort = options.tcp === undefined ? undefined : await bind(server, options.tcp);
  if (options.uds !== undefined) await bind(server, `unix://${options.uds}`);

  return {
    tcpPort,
    setServing(serving: boolean): void {
      const status = serving ? "SERVING" : "NOT_SERVING";
      health.setStatus("", status);
      health.setStatus(AUTH_SERVICE, status);
    },
    shutdown(graceMs: number): Promise<void> {
      return new Promise((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}
