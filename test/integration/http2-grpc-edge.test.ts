import * as grpc from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { mkdtempSync, rmSync } from "node:fs";
import { constants as h2 } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { denialWithoutContext } from "../../src/core/decide.ts";
import type { Decision } from "../../src/core/decision.ts";
import type { DecisionService } from "../../src/core/decision-service.ts";
import type { AccessOutcome } from "../../src/core/audit/outcome-record.ts";
import { addAccessLogService } from "../../src/adapters/audit/als-service.ts";
import { loadAccessLogProtos } from "../../src/adapters/grpc/accesslog-protos.ts";
import { startAuthzServer, type AuthzServer } from "../../src/adapters/grpc/authz-server.ts";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { loadAuthorizationProtos } from "../../src/adapters/grpc/envoy-protos.ts";
import { connectAuthz, reasonOf, type CheckResponse } from "./helpers/authz-client.ts";
import { plainDecisionService } from "./helpers/plain-decision-service.ts";
import { frame, grpcHeaders, onlyMessage, rawCall, rawSession, type RawTarget } from "./helpers/raw-grpc-client.ts";

// The node:http2 gRPC edge against the gRPC over HTTP/2 rules it now owns, with real grpc-js
// clients and raw node:http2 clients (which can send what grpc-js never would) over loopback
// TCP and a Unix socket. The pipeline is a decide function each test sets.

const CHECK = "/envoy.service.auth.v3.Authorization/Check";
const LIMIT = 64 * 1024;
const check = loadAuthorizationProtos().service["Check"] as grpc.MethodDefinition<unknown, CheckResponse>;
const requestBytes = (body = ""): Buffer =>
  check.requestSerialize(buildCheckRequest({ method: "POST", path: "/v2/models/m/infer", ...(body === "" ? {} : { body }) }));
const decodeAnswer = (body: Buffer): CheckResponse => check.responseDeserialize(onlyMessage(body));

const dir = mkdtempSync(join(tmpdir(), "mg-h2edge-"));
const socket = join(dir, "authz.sock");
let server: AuthzServer;
let tcp: RawTarget;
const uds: RawTarget = { socket };
let decide: DecisionService["decide"];
const decided: Decision[] = [];
const outcomes: AccessOutcome[] = [];

const denial = (id: string): Decision => denialWithoutContext("policy_no_match", "test", id, Date.now());

beforeAll(async () => {
  server = await startAuthzServer({
    tcp: "127.0.0.1:0",
    uds: socket,
    maxInFlight: 1000,
    maxReceiveBytes: LIMIT,
    service: plainDecisionService({ decide: (r, c) => decide(r, c), onDecision: (d) => void decided.push(d) }),
    configure: (host) => addAccessLogService(host, { onOutcome: (o) => void outcomes.push(o) }),
  });
  tcp = { port: server.tcpPort as number };
});

afterAll(async () => {
  await server.shutdown(1000);
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  // Synchronous by default: DecisionService.decide may answer without a promise.
  decide = () => denial("sync");
  decided.length = 0;
});

const targets: [string, () => RawTarget, string][] = [
  ["loopback TCP", () => tcp, ""],
  ["a Unix socket", () => uds, `unix://${socket}`],
];

describe.each(targets)("over %s", (_name, target) => {
  const grpcTarget = (): string => ("port" in target() ? `127.0.0.1:${(target() as { port: number }).port}` : `unix://${socket}`);

  it("answers a grpc-js Check, from a synchronous and from an asynchronous decision", async () => {
    const client = connectAuthz(grpcTarget());
    try {
      expect(reasonOf(await client.check(buildCheckRequest({ method: "GET", path: "/v2/models/m" })))).toBe("policy_no_match");
      decide = () => Promise.resolve(denial("async"));
      const answer = await client.check(buildCheckRequest({ method: "GET", path: "/v2/models/m" }));
      expect(answer.status?.code).toBe(7);
      expect(decided.map((d) => d.id)).toEqual(["sync", "async"]);
    } finally {
      client.close();
    }
  });

  it("answers a raw HTTP/2 Check with headers, one framed CheckResponse and grpc-status 0 in the trailers", async () => {
    const session = rawSession(target());
    try {
      const answer = await rawCall(session, grpcHeaders(CHECK), [frame(requestBytes())]);
      expect(answer).toMatchObject({ httpStatus: 200, grpcStatus: "0", trailersOnly: false });
      expect(reasonOf(decodeAnswer(answer.body))).toBe("policy_no_match");
    } finally {
      session.close();
    }
  });
});

describe("requests the edge refuses, and what it answers", () => {
  const good = (): Buffer => frame(requestBytes());
  const cases: [string, Record<string, string>, () => Buffer[], { http: number; grpc?: string; message?: RegExp }][] = [
    [
      "a length prefix beyond the data",
      {},
      () => [good().subarray(0, good().length - 10)],
      { http: 200, grpc: "13", message: /ended inside/ },
    ],
    ["the compressed flag set", {}, () => [frame(requestBytes(), 1)], { http: 200, grpc: "13", message: /compressed/ }],
    ["a truncated length prefix", {}, () => [good().subarray(0, 3)], { http: 200, grpc: "13" }],
    ["no message", {}, () => [], { http: 200, grpc: "13", message: /not 0/ }],
    ["two messages", {}, () => [good(), good()], { http: 200, grpc: "13", message: /not 2/ }],
    [
      "bytes that are not a CheckRequest",
      {},
      () => [frame(Buffer.from([0x0a, 0xff, 0xff, 0xff]))],
      { http: 200, grpc: "13", message: /parse/ },
    ],
    ["a message above the transport cap", {}, () => [frame(Buffer.alloc(5 * LIMIT))], { http: 200, grpc: "8" }],
    ["content-type application/json", { "content-type": "application/json" }, () => [good()], { http: 415 }],
    ["no content-type", { "content-type": "" }, () => [good()], { http: 415 }],
    ["method GET", { ":method": "GET" }, () => [], { http: 405 }],
    [
      "an unknown method",
      { ":path": "/envoy.service.auth.v3.Authorization/Nope" },
      () => [good()],
      { http: 200, grpc: "12", message: /unknown method/ },
    ],
    ["an unknown service", { ":path": "/no.such.Service/Check" }, () => [good()], { http: 200, grpc: "12" }],
    ["grpc-encoding gzip", { "grpc-encoding": "gzip" }, () => [good()], { http: 200, grpc: "12", message: /identity/ }],
    ["grpc-timeout with a fraction", { "grpc-timeout": "1.5S" }, () => [good()], { http: 200, grpc: "13", message: /grpc-timeout/ }],
    ["grpc-timeout of nine digits", { "grpc-timeout": "123456789m" }, () => [good()], { http: 200, grpc: "13" }],
    ["grpc-timeout with a lower-case unit", { "grpc-timeout": "10s" }, () => [good()], { http: 200, grpc: "13" }],
    ["grpc-timeout without a unit", { "grpc-timeout": "100" }, () => [good()], { http: 200, grpc: "13" }],
  ];

  it.each(cases)("%s", async (_name, extra, chunks, expected) => {
    const session = rawSession(tcp);
    try {
      const headers = grpcHeaders(CHECK, extra);
      if (extra["content-type"] === "") delete headers["content-type"];
      const answer = await rawCall(session, headers, chunks());
      expect(answer.httpStatus).toBe(expected.http);
      expect(answer.grpcStatus).toBe(expected.grpc);
      if (expected.message !== undefined) expect(decodeURIComponent(answer.grpcMessage ?? "")).toMatch(expected.message);
      if (expected.grpc !== undefined) expect(answer.trailersOnly).toBe(true);
      expect(decided).toEqual([]);
    } finally {
      session.close();
    }
  });

  it.each([
    ["grpc-encoding identity", { "grpc-encoding": "identity" }],
    ["grpc-timeout in hours", { "grpc-timeout": "1H" }],
    ["grpc-timeout in nanoseconds", { "grpc-timeout": "99999999n" }],
    ["content-type application/grpc+proto", { "content-type": "application/grpc+proto" }],
  ])("accepts %s", async (_name, extra) => {
    const session = rawSession(tcp);
    try {
      const answer = await rawCall(session, grpcHeaders(CHECK, extra), [frame(requestBytes())]);
      expect(answer.grpcStatus).toBe("0");
      expect(reasonOf(decodeAnswer(answer.body))).toBe("policy_no_match");
    } finally {
      session.close();
    }
  });

  it("answers a grpc-js call to an unknown method UNIMPLEMENTED", async () => {
    const client = new grpc.Client(`127.0.0.1:${server.tcpPort}`, grpc.credentials.createInsecure());
    try {
      const error = await new Promise<grpc.ServiceError | null>((resolve) =>
        client.makeUnaryRequest(
          "/envoy.service.auth.v3.Authorization/Nope",
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.alloc(0),
          (e) => resolve(e),
        ),
      );
      expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
    } finally {
      client.close();
    }
  });

  it("answers a request over maxReceiveBytes but under the cap with the 413 CheckResponse, from a raw client", async () => {
    const session = rawSession(uds);
    try {
      const answer = await rawCall(session, grpcHeaders(CHECK), [frame(requestBytes("x".repeat(2 * LIMIT)))]);
      expect(answer.grpcStatus).toBe("0");
      expect(reasonOf(decodeAnswer(answer.body))).toBe("request_too_large");
    } finally {
      session.close();
    }
  });
});

describe("streams and connections", () => {
  it("reads a CheckRequest split across many small DATA frames", async () => {
    let seen: unknown;
    decide = (request) => ((seen = request), Promise.resolve(denial("split")));
    const filler = "b".repeat(20_000);
    const bytes = check.requestSerialize(buildCheckRequest({ method: "GET", path: "/v2/models/m", headers: { "x-filler": filler } }));
    const framed = frame(bytes);
    const chunks: Buffer[] = [];
    for (let at = 0; at < framed.length; at += 997) chunks.push(framed.subarray(at, at + 997));
    const session = rawSession(tcp);
    try {
      const answer = await rawCall(session, grpcHeaders(CHECK), chunks);
      expect(chunks.length).toBeGreaterThan(20);
      expect(answer.grpcStatus).toBe("0");
      expect(reasonOf(decodeAnswer(answer.body))).toBe("policy_no_match");
      const http = (seen as { attributes: { request: { http: { headers: Record<string, string> } } } }).attributes.request.http;
      expect(http.headers["x-filler"] === filler).toBe(true);
    } finally {
      session.close();
    }
  });

  it("answers many concurrent streams on one connection, raw and grpc-js", async () => {
    decide = () => new Promise((r) => setImmediate(() => r(denial("many"))));
    const session = rawSession(tcp);
    const client = connectAuthz(`unix://${socket}`);
    try {
      const raw = Array.from({ length: 200 }, () => rawCall(session, grpcHeaders(CHECK), [frame(requestBytes())]));
      const viaGrpcJs = Array.from({ length: 200 }, () => client.check(buildCheckRequest({ method: "GET", path: "/v2/models/m" }), 30_000));
      const answers = await Promise.all(raw);
      expect(answers.every((a) => a.grpcStatus === "0" && reasonOf(decodeAnswer(a.body)) === "policy_no_match")).toBe(true);
      expect((await Promise.all(viaGrpcJs)).every((r) => reasonOf(r) === "policy_no_match")).toBe(true);
      expect(decided).toHaveLength(400);
    } finally {
      session.close();
      client.close();
    }
  });

  it.each([
    ["a raw client resets the stream (RST_STREAM CANCEL)", "rst"],
    ["a raw client drops the connection", "drop"],
    ["a grpc-js client cancels the call", "grpc-js"],
  ])("aborts the decision's signal when %s mid-decision", async (_name, how) => {
    let signal: AbortSignal | undefined;
    let started: () => void = () => {};
    const deciding = new Promise<void>((r) => (started = r));
    decide = (_request, cancel) => {
      signal = cancel;
      started();
      return new Promise(() => {});
    };
    if (how === "grpc-js") {
      const { Client } = loadAuthorizationProtos();
      const client = new Client(`unix://${socket}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
        Check(req: unknown, cb: (e: grpc.ServiceError | null) => void): grpc.ClientUnaryCall;
      };
      const errors: (grpc.ServiceError | null)[] = [];
      const call = client.Check(buildCheckRequest({ method: "GET", path: "/v2/models/m" }), (e) => errors.push(e));
      await deciding;
      call.cancel();
      await expect.poll(() => signal?.aborted).toBe(true);
      expect(errors[0]?.code).toBe(grpc.status.CANCELLED);
      client.close();
    } else {
      const session = rawSession(tcp);
      const closed = rawCall(session, grpcHeaders(CHECK), [frame(requestBytes())], {
        onStream: (stream) => void deciding.then(() => (how === "rst" ? stream.close(h2.NGHTTP2_CANCEL) : session.destroy())),
      });
      await deciding;
      await closed;
      await expect.poll(() => signal?.aborted).toBe(true);
      session.destroy();
    }
    expect(decided).toEqual([]);
  });

  it("answers deadline_exceeded before the grpc-timeout a raw client sent", async () => {
    decide = () => new Promise(() => {});
    const session = rawSession(tcp);
    try {
      const answer = await rawCall(session, grpcHeaders(CHECK, { "grpc-timeout": "300m" }), [frame(requestBytes())]);
      expect(answer.grpcStatus).toBe("0");
      expect(reasonOf(decodeAnswer(answer.body))).toBe("deadline_exceeded");
    } finally {
      session.close();
    }
  });
});

describe("the other services on the same listeners", () => {
  type HealthClient = grpc.Client & {
    check(req: unknown, cb: (e: grpc.ServiceError | null, r: { status: string }) => void): void;
    watch(req: unknown): grpc.ClientReadableStream<{ status: string }>;
  };
  const Health = grpc.makeClientConstructor(healthService, "grpc.health.v1.Health");

  it("streams grpc.health.v1 Watch from NOT_SERVING to SERVING, and answers Check", async () => {
    server.setServing(false);
    const health = new Health(`unix://${socket}`, grpc.credentials.createInsecure()) as unknown as HealthClient;
    try {
      const seen: string[] = [];
      const watch = health.watch({ service: "envoy.service.auth.v3.Authorization" });
      watch.on("data", (m: { status: string }) => seen.push(m.status));
      watch.on("error", () => undefined);
      await expect.poll(() => seen).toEqual(["NOT_SERVING"]);
      server.setServing(true);
      await expect.poll(() => seen).toEqual(["NOT_SERVING", "SERVING"]);
      watch.cancel();
      const status = await new Promise<string>((resolve, reject) =>
        health.check({ service: "" }, (e, r) => (e ? reject(e) : resolve(r.status))),
      );
      expect(status).toBe("SERVING");
      const unknown = await new Promise<grpc.ServiceError | null>((resolve) =>
        health.check({ service: "no.such.Service" }, (e) => resolve(e)),
      );
      expect(unknown?.code).toBe(grpc.status.NOT_FOUND);
    } finally {
      health.close();
    }
  });

  it("delivers the entries of an Access Log Service stream", async () => {
    outcomes.length = 0;
    const { Client } = loadAccessLogProtos();
    const client = new Client(`127.0.0.1:${server.tcpPort}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      StreamAccessLogs(cb: (e: grpc.ServiceError | null) => void): grpc.ClientWritableStream<unknown>;
    };
    const entry = (requestId: string, code: number) => ({
      common_properties: { access_log_type: "DownstreamEnd" },
      request: { request_id: requestId, request_method: "POST", path: "/v2/models/m/infer" },
      response: { response_code: { value: code }, response_code_details: "via_upstream" },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const call = client.StreamAccessLogs((e) => (e ? reject(e) : resolve()));
        call.write({ identifier: { log_name: "modelgate" }, http_logs: { log_entry: [entry("r-1", 200), entry("r-2", 403)] } });
        call.write({ http_logs: { log_entry: [entry("r-3", 429)] } });
        call.end();
      });
      expect(outcomes.map((o) => [o.requestId, o.responseCode])).toEqual([
        ["r-1", 200],
        ["r-2", 403],
        ["r-3", 429],
      ]);
    } finally {
      client.close();
    }
  });
});
