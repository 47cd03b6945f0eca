import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { verifyAuditLines } from "../../../src/core/audit/verify.ts";
import type { Decision } from "../../../src/core/decision.ts";
import { createStreamSink } from "../../../src/adapters/audit/stream-sink.ts";
import { allowed, asLines } from "../../core/audit/builders.ts";
import { decisionIds, harness, waitFor, type Harness } from "./helpers.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const allow = (i: number): Decision => allowed({ id: `d-${i}`, requestId: `r-${i}` });

describe("stream sink", () => {
  it("closed pipe: the write fails (EPIPE), the process survives, allowed decisions fail closed", async () => {
    const child = spawn(process.execPath, ["-e", "process.exit(0)"], { stdio: ["pipe", "ignore", "ignore"] });
    await once(child, "exit");
    const h = await harness(createStreamSink("pipe", child.stdin), { writeTimeoutMs: 50 });
    cleanups.push(() => void h.writer.close(100));
    const recorder = h.recorder("closed");
    recorder.record(allow(0), undefined, 0);
    await waitFor(() => !h.writer.healthy(), 3000, "the writer to notice the closed pipe");
    expect(recorder.record(allow(1), undefined, 0)).toMatchObject({ allowed: false, reason: "audit_unavailable" });
    expect(await h.metric("modelgate_audit_write_failures_total")).toBeGreaterThan(0);
  });

  it("slow reader: the writer stalls at the socket, fails closed, then delivers everything when reading resumes", async () => {
    const received: Buffer[] = [];
    let peer: Socket | undefined;
    const server: Server = createServer((socket) => {
      peer = socket;
      socket.pause(); // a collector that stopped reading
      socket.on("data", (chunk: Buffer) => received.push(chunk));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as { port: number }).port;
    const client = connect(port, "127.0.0.1");
    await once(client, "connect");
    cleanups.push(() => void client.destroy());
    // Small kernel buffers so the stall comes quickly.
    client.setNoDelay(true);
    const h: Harness = await harness(createStreamSink("socket", client), {
      writeTimeoutMs: 100,
      buffer: { maxRecords: 100_000, maxBytes: 64 * 1024 * 1024 },
    });
    cleanups.push(() => void h.writer.close(100));
    const recorder = h.recorder("closed");
    const answered: Decision[] = [];
    let i = 0;
    await waitFor(
      () => {
        for (let n = 0; n < 500; n += 1) answered.push(recorder.record(allow((i += 1)), undefined, 0));
        return !h.writer.healthy();
      },
      20_000,
      "the socket to stall",
    );
    expect(recorder.record(allow(-1), undefined, 0)).toMatchObject({ reason: "audit_unavailable" });

    peer?.resume();
    expect(await h.writer.flush(20_000)).toBe(true);
    const receivedLines = (): string[] =>
      Buffer.concat(received)
        .toString("utf8")
        .split("\n")
        .filter((l) => l !== "");
    // flush() resolves once the kernel took the data; the peer reads it a moment later.
    await waitFor(() => receivedLines().length === h.writer.head().seq + 1, 10_000, "every record to arrive");
    const lines = receivedLines();
    expect(verifyAuditLines(asLines(lines), { keys: [], requireCheckpointAtEnd: false, allowPartialStart: false, mixed: false }).ok).toBe(
      true,
    );
    expect(decisionIds(lines, "allow")).toEqual(answered.filter((d) => d.allowed).map((d) => d.id));
  });
});
