import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createFileSink, type FileSinkOptions } from "../../../src/adapters/audit/file-sink.ts";
import { listRotation, rotationPath } from "../../../src/adapters/audit/rotation-names.ts";
import { decisionEvent, testKeys } from "../../core/audit/builders.ts";
import { harness, verifyPaths } from "./helpers.ts";

const keys = testKeys();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mg-audit-"));
  dirs.push(dir);
  return dir;
}

function sinkOptions(path: string, overrides: Partial<FileSinkOptions> = {}): FileSinkOptions {
  return { path, maxBytes: 100 * 1024 * 1024, maxAgeSeconds: 0, fsync: "batch", now: Date.now, ...overrides };
}

async function writeRecords(
  options: FileSinkOptions,
  from: number,
  count: number,
  batch = 64,
): Promise<{ chain: string; firstSeq: number }> {
  const h = await harness(createFileSink(options), {
    signer: keys.signer,
    batch: { maxRecords: batch, maxBytes: 1024 * 1024, flushIntervalMs: 1 },
  });
  const firstSeq = h.writer.head().seq + 1;
  for (let i = from; i < from + count; i += 1) {
    h.writer.record(decisionEvent(i));
    if (i % batch === 0) await h.writer.flush(2000);
  }
  expect(await h.writer.close(5000)).toEqual({ flushed: true, lost: 0 });
  return { chain: h.writer.chain, firstSeq };
}

const STRICT = ["--public-key", "key.pem", "--require-checkpoint-at-end"];
function withKey(dir: string): string {
  writeFileSync(join(dir, "key.pem"), keys.publicPem);
  return dir;
}

describe("file sink", () => {
  it("names files after the configured path with a sequence number", () => {
    expect(rotationPath("/var/log/mg/audit.jsonl", 1)).toBe("/var/log/mg/audit.000001.jsonl");
    expect(rotationPath("/var/log/mg/audit", 1234567)).toBe("/var/log/mg/audit.1234567.jsonl");
  });

  it("rotates by size; the chain continues across files and verifies", async () => {
    const dir = withKey(tempDir());
    const path = join(dir, "audit.jsonl");
    await writeRecords(sinkOptions(path, { maxBytes: 8 * 1024 }), 0, 120, 8);
    const files = await listRotation(path);
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(statSync(f.path).size).toBeLessThanOrEqual(8 * 1024);
    const { code, report } = await verifyPaths(["audit.jsonl"], STRICT, dir);
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, records: 121, chains: [{ firstSeq: 0, lastSeq: 120 }] });
  });

  it("rotates by age", async () => {
    const dir = tempDir();
    const path = join(dir, "audit.jsonl");
    let clock = 0;
    const sink = createFileSink(sinkOptions(path, { maxAgeSeconds: 60, now: () => clock }));
    const h = await harness(sink);
    for (let minute = 0; minute < 3; minute += 1) {
      h.writer.record(decisionEvent(minute));
      await h.writer.flush(2000);
      clock += 60_000;
    }
    await h.writer.close(2000);
    expect((await listRotation(path)).map((f) => f.index)).toEqual([1, 2, 3, 4]); // the last holds the closing checkpoint
    expect((await verifyPaths([dir])).code).toBe(0);
  });

  it("resumes the chain after a restart, appending to the last file", async () => {
    const dir = withKey(tempDir());
    const path = join(dir, "audit.jsonl");
    const first = await writeRecords(sinkOptions(path), 0, 30);
    const second = await writeRecords(sinkOptions(path), 30, 30);
    expect(second.chain).toBe(first.chain);
    expect(second.firstSeq).toBe(31); // 30 records and a closing checkpoint came before
    expect(readdirSync(dir).filter((f) => f.endsWith(".jsonl"))).toEqual(["audit.000001.jsonl"]);
    const { report } = await verifyPaths(["audit.jsonl"], STRICT, dir);
    expect(report).toMatchObject({ ok: true, chains: [{ chain: first.chain, firstSeq: 0, lastSeq: 61 }] });
  });

  it("after an interrupted write, continues in a new file and the set still verifies", async () => {
    const dir = withKey(tempDir());
    const path = join(dir, "audit.jsonl");
    await writeRecords(sinkOptions(path), 0, 10);
    appendFileSync(rotationPath(path, 1), '{"chain":"pod-a","hash":"ab'); // power cut mid-record
    await writeRecords(sinkOptions(path), 10, 10);
    expect((await listRotation(path)).map((f) => f.index)).toEqual([1, 2]);
    const { code, report } = await verifyPaths(["audit.jsonl"], STRICT, dir);
    expect(code).toBe(0);
    expect(report?.warnings).toContain("audit.000001.jsonl:12: ignored an incomplete last line (an interrupted write)");
  });

  it("refuses to resume from a last record it cannot read", async () => {
    const dir = tempDir();
    const path = join(dir, "audit.jsonl");
    writeFileSync(rotationPath(path, 1), "this is not an audit record\n");
    await expect(harness(createFileSink(sinkOptions(path)))).rejects.toThrow(
      /cannot resume the audit chain from the file sink: .*the last record cannot be read/,
    );
  });

  it("creates the directory, and writes one canonical JSON object per line", async () => {
    const dir = tempDir();
    const path = join(dir, "nested", "deeper", "audit.jsonl");
    await writeRecords(sinkOptions(path, { fsync: "none" }), 0, 3);
    const lines = readFileSync(rotationPath(path, 1), "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([0, 1, 2, 3]);
  });
});
