import type * as grpc from "@grpc/grpc-js";
import type { AccessOutcome } from "../../core/audit/outcome-record.ts";
import { loadAccessLogProtos } from "../grpc/accesslog-protos.ts";

// envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs: Envoy streams one HTTP access
// log entry per request (including requests ext_authz denied); each becomes an AccessOutcome
// for the join (core/audit/outcome-join.ts). Only final entries count: Envoy's periodic and
// start-of-stream entries (access_log_type *Periodic, DownstreamStart, Upstream*) are skipped,
// as are TCP entries.

export interface AccessLogServiceOptions {
  readonly onOutcome: (outcome: AccessOutcome) => void;
  readonly onSkipped?: (reason: "not_final" | "tcp" | "malformed") => void;
}

type Obj = Record<string, unknown>;

const FINAL_TYPES = new Set([undefined, "NotSet", "DownstreamEnd"]);

function obj(value: unknown): Obj | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}

function num(value: unknown): number {
  const n = typeof value === "string" ? Number(value) : typeof value === "number" ? value : 0;
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

// google.protobuf.Duration / Timestamp as milliseconds.
function millis(value: unknown): number | undefined {
  const v = obj(value);
  return v === undefined ? undefined : num(v["seconds"]) * 1000 + num(v["nanos"]) / 1e6;
}

function setFlags(flags: Obj | undefined): string[] {
  if (flags === undefined) return [];
  const names = Object.entries(flags)
    .filter(([name, value]) => value === true && name !== "unauthorized_details")
    .map(([name]) => name);
  return obj(flags["unauthorized_details"]) === undefined ? names : [...names, "unauthorized_external_service"];
}

export function outcomeFromEntry(entry: unknown): AccessOutcome | undefined {
  const e = obj(entry);
  if (e === undefined) return undefined;
  const common = obj(e["common_properties"]) ?? {};
  const request = obj(e["request"]) ?? {};
  const response = obj(e["response"]) ?? {};
  const code = obj(response["response_code"]);
  return {
    requestId: str(request["request_id"]) || str(common["stream_id"]),
    responseCode: code === undefined ? undefined : num(code["value"]),
    responseCodeDetails: str(response["response_code_details"]),
    responseFlags: setFlags(obj(common["response_flags"])),
    requestBodyBytes: num(request["request_body_bytes"]),
    responseBodyBytes: num(response["response_body_bytes"]),
    durationMs: millis(common["duration"]),
    startedAt: millis(common["start_time"]),
  };
}

function handleMessage(message: unknown, options: AccessLogServiceOptions): void {
  const m = obj(message) ?? {};
  if (m["tcp_logs"] !== undefined) return options.onSkipped?.("tcp");
  const entries = obj(m["http_logs"])?.["log_entry"];
  if (!Array.isArray(entries)) return options.onSkipped?.("malformed");
  for (const entry of entries) {
    const type = obj(obj(entry)?.["common_properties"])?.["access_log_type"];
    if (!FINAL_TYPES.has(type as string | undefined)) {
      options.onSkipped?.("not_final");
      continue;
    }
    const outcome = outcomeFromEntry(entry);
    if (outcome === undefined) options.onSkipped?.("malformed");
    else options.onOutcome(outcome);
  }
}

export function addAccessLogService(server: Pick<grpc.Server, "addService">, options: AccessLogServiceOptions): void {
  const { service } = loadAccessLogProtos();
  server.addService(service, {
    StreamAccessLogs(call: grpc.ServerReadableStream<unknown, unknown>, callback: grpc.sendUnaryData<unknown>): void {
      call.on("data", (message: unknown) => handleMessage(message, options));
      call.on("end", () => callback(null, {}));
      // A stream Envoy resets (restart, network) simply ends; Envoy opens a new one.
      call.on("error", () => undefined);
    },
  });
}
