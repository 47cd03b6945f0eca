import * as http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CancelCheck, CheckCall } from "../../src/adapters/grpc/check-call.ts";
import { checkRoute } from "../../src/adapters/grpc/check-route.ts";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { loadAuthorizationProtos } from "../../src/adapters/grpc/envoy-protos.ts";
import { frame, grpcHeaders, rawCall, rawSession } from "./helpers/raw-grpc-client.ts";

// What the Check route leaves on Node's Http2Stream. V8's young-generation GC keeps a stream
// alive after its call, until a mark-compact, and promotes whatever the stream's listeners
// reach; the route's cancel listener reaches the whole decision. So it is on the stream only
// while a decision is pending: a decision answered at once never adds it, one answered later
// takes it off with the answer, and a reset while pending still cancels (it is there then). The
// route's data and end listeners leave the stream at its end.

const CHECK = "/envoy.service.auth.v3.Authorization/Check";
const requestBytes = loadAuthorizationProtos().service["Check"]?.requestSerialize(
  buildCheckRequest({ method: "POST", path: "/v2/models/m/infer" }),
) as Buffer;

interface Seen {
  readonly stream: http2.ServerHttp2Stream;
  readonly cancel: CancelCheck;
  cancelled: boolean;
  call: CheckCall;
}

type Mode = "at once" | "later" | "never";
let mode: Mode = "at once";
const seen: Seen[] = [];
const routeListeners = new WeakMap<http2.ServerHttp2Stream, unknown[]>();
let server: http2.Http2Server;
let port: number;

beforeAll(async () => {
  server = http2.createServer();
  server.on("stream", (stream: http2.ServerHttp2Stream) => {
    stream.on("error", () => undefined);
    const route = checkRoute((call) => {
      const entry: Seen = { stream, call, cancelled: false, cancel: () => void (entry.cancelled = true) };
      seen.push(entry);
      if (mode === "at once") call.reply(Buffer.alloc(0));
      if (mode === "later") setImmediate(() => call.reply(Buffer.alloc(0)));
      return entry.cancel;
    }, 64 * 1024);
    route(stream, Number.POSITIVE_INFINITY, {});
    // what the route itself put on the stream (Node adds its own `end` listener later)
    routeListeners.set(stream, [...stream.listeners("data"), ...stream.listeners("end")]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const listensForClose = (entry: Seen): boolean => entry.stream.listeners("close").includes(entry.cancel);

describe("the Check route's cancel listener", () => {
  it.each<Mode>(["at once", "later"])("is not on the stream once a decision answered %s has been sent", async (m) => {
    mode = m;
    seen.length = 0;
    const session = rawSession({ port });
    try {
      const answer = await rawCall(session, grpcHeaders(CHECK), [frame(requestBytes)]);
      expect(answer.grpcStatus).toBe("0");
      expect(seen).toHaveLength(1);
      expect(listensForClose(seen[0] as Seen)).toBe(false);
      expect(seen[0]?.cancelled).toBe(false);
      // the route's data and end listeners (its reader, the call's state) are gone too
      const stream = seen[0]?.stream as http2.ServerHttp2Stream;
      const routes = routeListeners.get(stream);
      expect(routes?.length).toBe(2);
      for (const listener of routes ?? []) expect([...stream.listeners("data"), ...stream.listeners("end")]).not.toContain(listener);
    } finally {
      session.close();
    }
  });

  it("is on the stream while the decision is pending, and a reset then cancels it", async () => {
    mode = "never";
    seen.length = 0;
    const session = rawSession({ port });
    try {
      let client: http2.ClientHttp2Stream | undefined;
      const answered = rawCall(session, grpcHeaders(CHECK), [frame(requestBytes)], { onStream: (s) => (client = s) });
      await expect.poll(() => seen.length).toBe(1);
      const entry = seen[0] as Seen;
      expect(listensForClose(entry)).toBe(true);
      client?.close(http2.constants.NGHTTP2_CANCEL);
      await answered;
      await expect.poll(() => entry.cancelled).toBe(true);
    } finally {
      session.close();
    }
  });
});
