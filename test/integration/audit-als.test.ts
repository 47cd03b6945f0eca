import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_DEFAULTS, type AuditConfig } from "../../src/core/audit/audit-config.ts";
import type { Decision } from "../../src/core/decision.ts";
import { listRotation } from "../../src/adapters/audit/rotation-names.ts";
import { startAudit, type AuditRuntime } from "../../src/wiring/start-audit.ts";
import { loadAccessLogProtos } from "../../src/adapters/grpc/accesslog-protos.ts";
import { createJsonLogger } from "../../src/adapters/log/json-logger.ts";
import { allowed, denied, testKeys } from "../core/audit/builders.ts";
import { verifyPaths, waitFor } from "../adapters/audit/helpers.ts";

// Envoy's Access Log Service against the real gRPC server, with a real grpc-js streaming client
// sending StreamAccessLogsMessage as Envoy's http_grpc_access_log does, and the file sink.

const keys = testKeys();
const dir = mkdtempSync(join(tmpdir(), "mg-als-"));
const path = join(dir, "audit.jsonl");
const logLines: string[] = [];
let runtime: AuditRuntime;
let server: grpc.Server;
let port: number;

function entry(
  requestId: string,
  code: number | undefined,
  extra: { details?: string; type?: string; flags?: Record<string, unknown> } = {},
): unknown {
  return {
    common_properties: {
      start_time: { seconds: "1793491200", nanos: 500_000_000 },
      duration: { seconds: "0", nanos: 35_000_000 },
      response_flags: extra.flags ?? {},
      access_log_type: extra.type ?? "DownstreamEnd",
    },
    request: { request_id: requestId, request_method: "POST", path: "/v2/models/fraud-detector/infer", request_body_bytes: "120" },
    response: {
      ...(code === undefined ? {} : { response_code: { value: code } }),
      response_body_bytes: "4096",
      response_code_details: extra.details ?? "via_upstream",
    },
  };
}

function streamLogs(messages: unknown[]): Promise<void> {
  const { Client } = loadAccessLogProtos();
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    StreamAccessLogs(cb: (e: grpc.ServiceError | null) => void): grpc.ClientWritableStream<unknown>;
  };
  return new Promise((resolve, reject) => {
    const call = client.StreamAccessLogs((error) => {
      client.close();
      if (error) reject(error);
      else resolve();
    });
    for (const m of messages) call.write(m);
    call.end();
  });
}

async function writtenRecords(): Promise<Record<string, unknown>[]> {
  const files = await listRotation(path);
  return files.flatMap((f) =>
    readFileSync(f.path, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

beforeAll(async () => {
  writeFileSync(join(dir, "hmac.key"), "als-test-hmac-key-0123456789-abcdefghijklmnop\n");
  writeFileSync(join(dir, "signing.pem"), keys.privatePem);
  writeFileSync(join(dir, "signing.pub.pem"), keys.publicPem);
  const config: AuditConfig = {
    ...AUDIT_DEFAULTS,
    sink: "file",
    hmacKeyFile: join(dir, "hmac.key"),
    signingKeyFile: join(dir, "signing.pem"),
    file: { ...AUDIT_DEFAULTS.file, path },
    batch: { ...AUDIT_DEFAULTS.batch, flushIntervalMs: 5 },
    outcomes: { enabled: true, waitSeconds: 1, maxPending: 1000 },
  };
  const started = await startAudit(config, {
    registry: new Registry(),
    logger: createJsonLogger("info", (l) => void logLines.push(l)),
    replica: "pod-als",
    now: Date.now,
  });
  if (!started.ok) throw new Error(started.error);
  runtime = started.value;
  server = new grpc.Server();
  runtime.addAccessLogService(server);
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
});

afterAll(async () => {
  server.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe("Access Log Service join", () => {
  it("joins each access-log entry to its decision by request id, and marks what is missing", async () => {
    const decisions: Decision[] = [
      allowed({ id: "d-ok", requestId: "r-ok", decidedAt: Date.now() }),
      denied({ id: "d-denied", requestId: "r-denied", decidedAt: Date.now() }),
      allowed({ id: "d-silent", requestId: "r-silent", decidedAt: Date.now() }),
    ];
    for (const d of decisions) expect(runtime.recorder.record(d, undefined, 0.2)).toBe(d);

    await streamLogs([
      {
        identifier: { node: { id: "envoy-1", cluster: "fraud-detector" }, log_name: "modelgate" },
        http_logs: { log_entry: [entry("r-ok", 200, { type: "DownstreamPeriodic" })] },
      },
      {
        http_logs: {
          log_entry: [
            entry("r-ok", 200),
            entry("r-denied", 401, { details: "ext_authz_denied", flags: { unauthorized_details: { reason: "EXTERNAL_SERVICE" } } }),
          ],
        },
      },
      { tcp_logs: { log_entry: [{ common_properties: {} }] } },
      {
        http_logs: {
          log_entry: [entry("r-unknown", undefined, { details: "downstream_remote_disconnect", flags: { downstream_remote_reset: true } })],
        },
      },
    ]);

    // r-silent never gets an outcome: after outcomes.waitSeconds (1 s) it is marked.
    await waitFor(
      () => runtime.writer.bufferedRecords() === 0 && runtime.recorder.options.outcomes?.size === 0,
      10_000,
      "r-silent to be marked",
    );
    expect(await runtime.close(5000)).toEqual({ flushed: true, lost: 0 });
    const records = await writtenRecords();
    const byType = (type: string) => records.filter((r) => r["type"] === type);
    expect(byType("outcome")).toEqual([
      expect.objectContaining({
        request_id: "r-ok",
        decision_id: "d-ok",
        decision: "allow",
        response_code: 200,
        response_code_details: "via_upstream",
        request_bytes: 120,
        response_bytes: 4096,
        duration_us: 35_000,
        started_at: "2026-11-01T00:00:00.500Z",
      }),
      expect.objectContaining({
        request_id: "r-denied",
        decision_id: "d-denied",
        decision: "deny",
        response_code: 401,
        response_flags: ["unauthorized_external_service"],
      }),
    ]);
    expect(byType("decision_missing")).toEqual([
      expect.objectContaining({ request_id: "r-unknown", response_code: null, response_flags: ["downstream_remote_reset"] }),
    ]);
    expect(byType("outcome_missing")).toEqual([
      expect.objectContaining({ request_id: "r-silent", decision_id: "d-silent", cause: "timeout" }),
    ]);

    const verified = await verifyPaths([path], ["--public-key", join(dir, "signing.pub.pem"), "--require-checkpoint-at-end"]);
    expect(verified).toMatchObject({ code: 0, report: { ok: true } });
    // The server log carries a copy of each checkpoint: an independent witness for verify.
    expect(logLines.some((l) => l.includes('"audit_checkpoint":"{'))).toBe(true);
  });
});
