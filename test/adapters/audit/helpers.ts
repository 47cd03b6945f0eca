import { PassThrough } from "node:stream";
import { Registry } from "prom-client";
import type { SealedRecord } from "../../../src/core/audit/chain.ts";
import type { AuditSink } from "../../../src/core/audit/sink.ts";
import type { VerifyReport } from "../../../src/core/audit/verify-report.ts";
import { registerAuditMetrics, type AuditMetrics } from "../../../src/adapters/audit/audit-metrics.ts";
import { AuditRecorder } from "../../../src/adapters/audit/audit-recorder.ts";
import { startAuditWriter, type AuditWriter, type AuditWriterOptions } from "../../../src/adapters/audit/audit-writer.ts";
import { runAuditVerify } from "../../../src/cli/audit-verify-command.ts";
import { HMAC_KEY } from "../../core/audit/builders.ts";

// A sink under the test's control: "ok" stores, "fail" rejects, "hang" never settles until
// released (a hung disk, a stalled collector).
export class ControlledSink implements AuditSink {
  readonly name = "test";
  mode: "ok" | "fail" | "hang" = "ok";
  readonly lines: string[] = [];
  appends = 0;
  private hung: (() => void)[] = [];

  append(records: readonly SealedRecord[]): Promise<void> {
    this.appends += 1;
    const store = (): void => void this.lines.push(...records.map((r) => r.line));
    if (this.mode === "fail") return Promise.reject(new Error("sink down"));
    if (this.mode === "hang") return new Promise((resolve) => this.hung.push(() => (store(), resolve())));
    store();
    return Promise.resolve();
  }

  release(): void {
    this.mode = "ok";
    for (const resume of this.hung.splice(0)) resume();
  }

  resume(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface Harness {
  readonly writer: AuditWriter;
  readonly registry: Registry;
  readonly metrics: AuditMetrics;
  recorder(failMode: "closed" | "open"): AuditRecorder;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

export async function harness(sink: AuditSink, overrides: Partial<AuditWriterOptions> = {}): Promise<Harness> {
  const registry = new Registry();
  const metrics = registerAuditMetrics(registry);
  const started = await startAuditWriter({
    sink,
    replica: "pod-a",
    chainId: "",
    signer: undefined,
    checkpoint: { everyRecords: 1_000_000, everySeconds: 3600 },
    buffer: { maxRecords: 10_000, maxBytes: 16 * 1024 * 1024 },
    batch: { maxRecords: 64, maxBytes: 1024 * 1024, flushIntervalMs: 2 },
    writeTimeoutMs: 100,
    metrics,
    now: Date.now,
    retry: { minMs: 5, maxMs: 20 },
    ...overrides,
  });
  if (!started.ok) throw new Error(started.error);
  const writer = started.value;
  return {
    writer,
    registry,
    metrics,
    recorder: (failMode) =>
      new AuditRecorder({ writer, hmacKey: HMAC_KEY, subjects: "plain", failMode, metrics, now: Date.now, outcomes: undefined }),
    metric: async (name, labels = {}) => {
      const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
      return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((n, v) => n + v.value, 0);
    },
  };
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// Runs the real `modelgate audit verify --json` over paths (files, directories, configured paths).
export async function verifyPaths(
  paths: readonly string[],
  flags: readonly string[] = [],
  cwd = "/",
): Promise<{ code: number; report: VerifyReport | undefined; stderr: string }> {
  let out = "";
  let err = "";
  const code = await runAuditVerify([...flags, "--json", ...paths], {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    cwd,
    stdin: new PassThrough(),
  });
  return { code, report: out === "" ? undefined : (JSON.parse(out) as VerifyReport), stderr: err };
}

export function decisionIds(lines: readonly string[], decision: "allow" | "deny"): string[] {
  return lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => r["type"] === "decision" && r["decision"] === decision)
    .map((r) => r["decision_id"] as string);
}
