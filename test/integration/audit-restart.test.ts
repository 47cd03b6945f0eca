import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createFileSink } from "../../src/adapters/audit/file-sink.ts";
import { listRotation } from "../../src/adapters/audit/rotation-names.ts";
import { decisionEvent } from "../core/audit/builders.ts";
import { harness, verifyPaths } from "../adapters/audit/helpers.ts";

// A writer process killed with SIGKILL in the middle of writing; a new writer resumes the chain
// from the last record on disk, and every record the dead process had confirmed is still there.

const dir = mkdtempSync(join(tmpdir(), "mg-restart-"));
const path = join(dir, "audit.jsonl");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runUntilKilled(minSeq: number): Promise<number> {
  const child = spawn(process.execPath, [join(import.meta.dirname, "../adapters/audit/crash-writer.ts"), path], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let confirmed = -1;
  let buffered = "";
  child.stdout.setEncoding("utf8");
  await new Promise<void>((resolve, reject) => {
    child.on("exit", (code) => reject(new Error(`crash-writer exited early with ${code}`)));
    child.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const m = /^written (\d+)$/.exec(line);
        if (m !== null) confirmed = Number(m[1]);
      }
      if (confirmed >= minSeq) resolve();
    });
  });
  child.removeAllListeners("exit");
  child.kill("SIGKILL");
  await once(child, "exit");
  return confirmed;
}

describe("audit chain across a crash and restarts", () => {
  it("continues the chain; nothing confirmed before the crash is lost", async () => {
    const firstConfirmed = await runUntilKilled(300);
    const secondConfirmed = await runUntilKilled(firstConfirmed + 300);

    const h = await harness(createFileSink({ path, maxBytes: 64 * 1024, maxAgeSeconds: 0, fsync: "batch", now: Date.now }));
    const resumedAt = h.writer.head().seq;
    expect(resumedAt).toBeGreaterThanOrEqual(secondConfirmed);
    for (let i = 0; i < 20; i += 1) h.writer.record(decisionEvent(10_000 + i));
    expect(await h.writer.close(5000)).toEqual({ flushed: true, lost: 0 });

    const { code, report } = await verifyPaths([path], ["--require-checkpoint-at-end"]);
    expect(report?.problems).toEqual([]);
    expect(code).toBe(0);
    expect(report?.chains).toHaveLength(1);
    expect(report?.chains[0]).toMatchObject({ firstSeq: 0, lastSeq: resumedAt + 21 });
    const files = await listRotation(path);
    expect(files.length).toBeGreaterThan(1);
    const seqs = files.flatMap((f) =>
      readFileSync(f.path, "utf8")
        .split("\n")
        .filter((l) => l.endsWith("}"))
        .map((l) => (JSON.parse(l) as { seq: number }).seq),
    );
    expect(Math.max(...seqs)).toBe(resumedAt + 21);
  });
});
