import { spawn } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { genesisHead, sealEvent, type ChainHead, type SealedRecord } from "../../src/core/audit/chain.ts";
import { verifyAuditLines, type VerifyOptions } from "../../src/core/audit/verify.ts";
import type { Decision } from "../../src/core/decision.ts";
import { connectAuditRedis, createRedisSink, redisStreamKeys } from "../../src/adapters/audit/redis-sink.ts";
import { allowed, asLines, decisionEvent, testKeys } from "../core/audit/builders.ts";
import { decisionIds, harness, waitFor, type Harness } from "../adapters/audit/helpers.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";

const keys = testKeys();
const VERIFY: VerifyOptions = { keys: [keys.publicKey], requireCheckpointAtEnd: true, allowPartialStart: false, mixed: false };
let redis: RedisProcess;
let admin: Redis;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
});
afterAll(async () => {
  admin.disconnect();
  await redis.stop();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let keyCounter = 0;
const freshKey = (): string => `mg:audit:t${(keyCounter += 1)}`;

async function writerFor(key: string, replica: string, overrides: Parameters<typeof harness>[1] = {}): Promise<Harness> {
  const client = await connectAuditRedis(redis.url, 200, 2000);
  const sink = createRedisSink({ client, key, maxLen: 100_000, replica });
  const h = await harness(sink, { replica, signer: keys.signer, writeTimeoutMs: 300, ...overrides });
  cleanups.push(() => h.writer.close(500));
  return h;
}

async function streamLines(key: string): Promise<string[]> {
  const entries = await admin.xrange(redisStreamKeys(key, "").stream, "-", "+");
  return entries.map(([, fields]) => fields[1] ?? "");
}

const allow = (i: number): Decision => allowed({ id: `d-${i}`, requestId: `r-${i}` });

describe("Redis Stream audit sink (real redis-server)", () => {
  it("collects the chains of several replicas in one stream; each verifies", async () => {
    const key = freshKey();
    const a = await writerFor(key, "pod-a");
    const b = await writerFor(key, "pod-b");
    for (let i = 0; i < 50; i += 1) {
      a.writer.record(decisionEvent(i));
      b.writer.record(decisionEvent(1000 + i));
    }
    await a.writer.close(2000);
    await b.writer.close(2000);
    const report = verifyAuditLines(asLines(await streamLines(key)), VERIFY);
    expect(report.ok).toBe(true);
    expect(report.chains.map((c) => [c.chain.split("@")[0], c.records])).toEqual(
      expect.arrayContaining([
        ["pod-a", 51],
        ["pod-b", 51],
      ]),
    );
  });

  it("stores a retried batch once (the reply to the first attempt was lost)", async () => {
    const key = freshKey();
    const client = await connectAuditRedis(redis.url, 500, 2000);
    const sink = createRedisSink({ client, key, maxLen: 100_000, replica: "pod-r" });
    cleanups.push(() => sink.close());
    let head: ChainHead = genesisHead("pod-r@x");
    const records: SealedRecord[] = [];
    for (let i = 0; i < 6; i += 1) {
      const s = sealEvent(head, decisionEvent(i));
      records.push(s.record);
      head = s.head;
    }
    await sink.append(records.slice(0, 4));
    await sink.append(records.slice(0, 4));
    await sink.append(records); // a retry that grew by two records
    const lines = await streamLines(key);
    expect(lines).toEqual(records.map((r) => r.line));
    expect(await sink.resume("pod-r")).toEqual(head);
  });

  it("continues the replica's chain after a restart", async () => {
    const key = freshKey();
    const first = await writerFor(key, "pod-c");
    for (let i = 0; i < 10; i += 1) first.writer.record(decisionEvent(i));
    await first.writer.close(2000);
    const second = await writerFor(key, "pod-c");
    expect(second.writer.chain).toBe(first.writer.chain);
    expect(second.writer.head().seq).toBe(10);
    for (let i = 10; i < 20; i += 1) second.writer.record(decisionEvent(i));
    await second.writer.close(2000);
    const report = verifyAuditLines(asLines(await streamLines(key)), VERIFY);
    expect(report).toMatchObject({ ok: true, chains: [{ firstSeq: 0, lastSeq: 21 }] });
  });

  it("Redis hangs: appends time out, allowed decisions fail closed, and every accepted allow arrives after it recovers", async () => {
    const key = freshKey();
    const h = await writerFor(key, "pod-h", { writeTimeoutMs: 150 });
    const recorder = h.recorder("closed");
    const answered: Decision[] = [];
    try {
      redis.freeze();
      for (let i = 0; i < 5; i += 1) answered.push(recorder.record(allow(i), undefined, 0));
      await waitFor(() => !h.writer.healthy(), 5000, "the writer to notice the hung Redis");
      for (let i = 5; i < 50; i += 1) answered.push(recorder.record(allow(i), undefined, 0));
    } finally {
      redis.thaw();
    }
    expect(answered.slice(5).every((d) => d.reason === "audit_unavailable")).toBe(true);
    expect(await h.metric("modelgate_audit_fail_mode_total", { mode: "closed" })).toBe(45);
    expect(await h.writer.flush(10_000)).toBe(true);
    await h.writer.close(2000);
    const lines = await streamLines(key);
    expect(decisionIds(lines, "allow")).toEqual(answered.filter((d) => d.allowed).map((d) => d.id));
    expect(verifyAuditLines(asLines(lines), VERIFY).ok).toBe(true);
  });
});

describe("Redis Stream audit sink when Redis is stopped", () => {
  it("fails closed while Redis is down and writes the backlog to the Redis that comes back", async () => {
    const own = await startRedis();
    const key = freshKey();
    const client = await connectAuditRedis(own.url, 200, 2000);
    const h = await harness(createRedisSink({ client, key, maxLen: 100_000, replica: "pod-s" }), { replica: "pod-s", writeTimeoutMs: 150 });
    const recorder = h.recorder("closed");
    await own.stop();
    const answered = Array.from({ length: 5 }, (_, i) => recorder.record(allow(i), undefined, 0));
    await waitFor(() => !h.writer.healthy(), 5000, "unhealthy");
    expect(recorder.record(allow(99), undefined, 0)).toMatchObject({ reason: "audit_unavailable" });
    // The same port again (no persistence: the stream starts empty), the client reconnects.
    const again = spawn("/usr/bin/redis-server", ["--port", String(own.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    try {
      expect(await h.writer.flush(15_000)).toBe(true);
      const probe = new Redis(own.url);
      const lines = (await probe.xrange(redisStreamKeys(key, "").stream, "-", "+")).map(([, f]) => f[1] ?? "");
      probe.disconnect();
      expect(decisionIds(lines, "allow")).toEqual(answered.filter((d) => d.allowed).map((d) => d.id));
      expect(verifyAuditLines(asLines(lines), { ...VERIFY, keys: [], requireCheckpointAtEnd: false }).ok).toBe(true);
    } finally {
      await h.writer.close(500);
      again.kill("SIGKILL");
    }
  });
});
