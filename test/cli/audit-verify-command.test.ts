import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { ProblemKind, VerifyReport } from "../../src/core/audit/verify-report.ts";
import { AUDIT_VERIFY_USAGE, runAuditVerify } from "../../src/cli/audit-verify-command.ts";

// Fixtures: test/fixtures/audit/tampered/, made by test/fixtures/audit/generate.ts.
const FIXTURES = join(import.meta.dirname, "../fixtures/audit/tampered");

async function run(args: string[], cwd = FIXTURES, stdin = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const input = new PassThrough();
  input.end(stdin);
  const code = await runAuditVerify(args, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), cwd, stdin: input });
  return { code, stdout, stderr };
}

const KEY = ["--public-key", "signing.pub.pem"];

// file, extra flags → exit status and the first bad record (line = seq + 1 in the intact chain).
const MATRIX: readonly [string, string[], number, { kind: ProblemKind; line: number; seq: number } | null][] = [
  ["intact.jsonl", [], 0, null],
  ["hostile-claims.jsonl", ["--require-checkpoint-at-end"], 0, null],
  ["edited-record.jsonl", [], 1, { kind: "edited", line: 3, seq: 2 }],
  ["edited-and-rehashed-record.jsonl", [], 1, { kind: "replaced", line: 3, seq: 2 }],
  ["deleted-record.jsonl", [], 1, { kind: "missing", line: 3, seq: 3 }],
  ["reordered-records.jsonl", [], 1, { kind: "reordered", line: 6, seq: 6 }],
  ["inserted-forged-record.jsonl", [], 1, { kind: "forged", line: 7, seq: 6 }],
  ["rewritten-tail.jsonl", [], 1, { kind: "checkpoint_forged", line: 5, seq: 4 }],
  ["truncated-tail.jsonl", [], 0, null],
  ["truncated-tail.jsonl", ["--require-checkpoint-at-end"], 1, { kind: "tail_uncovered", line: 11, seq: 10 }],
  ["truncated-tail.jsonl", ["--checkpoints", "server-log.txt"], 1, { kind: "truncated", line: 11, seq: 10 }],
  ["checkpoint-signed-with-another-key.jsonl", [], 1, { kind: "checkpoint_wrong_key", line: 10, seq: 9 }],
  ["checkpoint-signature-forged.jsonl", [], 1, { kind: "checkpoint_forged", line: 10, seq: 9 }],
  ["checkpoint-made-unsigned.jsonl", [], 1, { kind: "checkpoint_unsigned", line: 5, seq: 4 }],
];

describe("modelgate audit verify", () => {
  it("has a case for every fixture", () => {
    const covered = new Set(MATRIX.map(([file]) => file));
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".jsonl"));
    expect(files.filter((f) => !covered.has(f))).toEqual([]);
  });

  it.each(MATRIX)("%s %j → exit %i", async (file, flags, code, firstBad) => {
    const json = await run([...KEY, ...flags, "--json", file]);
    expect(json.code).toBe(code);
    const report = JSON.parse(json.stdout) as VerifyReport;
    if (firstBad === null) {
      expect(report.firstBad).toBeNull();
    } else {
      expect(report.firstBad).toMatchObject({ ...firstBad, file });
      const human = await run([...KEY, ...flags, file]);
      expect(human.stdout).toContain(`TAMPERED: first bad record: ${file}:${firstBad.line} seq ${firstBad.seq}`);
      expect(human.stdout).toContain(`${firstBad.kind}: `);
    }
  });

  it("fails every checkpoint against the wrong public key", async () => {
    const result = await run(["--public-key", "other-key.pub.pem", "intact.jsonl"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /first bad record: intact\.jsonl:5 seq 4 .*\n  checkpoint_wrong_key: the checkpoint is signed with key ed25519:[0-9a-f]{32}, not with a given public key/,
    );
  });

  it("prints a summary with the chain, checkpoints and uncovered tail", async () => {
    const result = await run([...KEY, "truncated-tail.jsonl"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe(
      [
        "OK: 11 records in 1 chain verify",
        "  chain pod-a@2026-11-01T00:00:00.000Z: seq 0–10, 11 records, 2 checkpoints, 2 signatures verified",
        "warning: chain pod-a@2026-11-01T00:00:00.000Z: tail after seq 9 is not covered by a checkpoint (1 record)",
        "",
      ].join("\n"),
    );
  });

  it("reads a hostile file in bounded memory: a 5 MiB line is malformed, not loaded whole", async () => {
    const intact = readFileSync(join(FIXTURES, "intact.jsonl"), "utf8");
    const result = await run(["--json", "-"], FIXTURES, `{"chain":"pod-a","seq":0,"x":"${"x".repeat(5 * 1024 * 1024)}"}\n${intact}`);
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as VerifyReport).firstBad).toMatchObject({ kind: "malformed", file: "-", line: 1 });
  });

  // Issue 11 item 12: `npm start` and `kubectl logs` of a stdout-sink sidecar interleave records
  // with log lines; verify reads the records out, and a damaged record still fails.
  describe("a stream of records mixed with logs", () => {
    const intact = readFileSync(join(FIXTURES, "intact.jsonl"), "utf8").trimEnd().split("\n");
    const logs = [
      "> modelgate@0.1.0 start",
      JSON.stringify({ time: "2026-11-01T00:00:00.000Z", level: "info", msg: "serving", grpc_port: 9001 }),
      JSON.stringify({
        time: "2026-11-01T00:00:01.000Z",
        level: "info",
        msg: "decision",
        decision_id: "d",
        reason: "policy_no_match",
        hash: "not an envelope",
      }),
      JSON.stringify({ time: "2026-11-01T00:00:02.000Z", level: "info", msg: "audit checkpoint", audit_checkpoint: intact[4] }),
      "(node:1) ExperimentalWarning: something",
    ];
    const mixed = (records: readonly string[]) => records.flatMap((line, i) => [logs[i % logs.length] ?? "", line]).join("\n") + "\n";

    it("skips and counts the log lines, and the records verify", async () => {
      const result = await run([...KEY, "--require-checkpoint-at-end", "-"], FIXTURES, mixed(intact));
      expect(result.stdout).toMatch(/^OK: 13 records in 1 chain verify\n/);
      expect(result.stdout).toContain("  13 non-audit lines skipped\n");
      expect(result.code).toBe(0);
    });

    it.each<[string, (record: string) => string]>([
      ["cut short", (r) => r.slice(0, r.length / 2)],
      ["made invalid JSON", (r) => r.replace('"seq":', '"seq"=')],
      ["with a field renamed", (r) => r.replace('"chain":', '"chian":')],
      ["with leading garbage", (r) => `X${r}`],
    ])("fails a record %s", async (_name, damage) => {
      const records = intact.map((r, i) => (i === 6 ? damage(r) : r));
      const result = await run(["--json", ...KEY, "-"], FIXTURES, mixed(records));
      expect(result.code).toBe(1);
      expect((JSON.parse(result.stdout) as VerifyReport).firstBad).toMatchObject({ kind: "malformed", line: 14 });
    });

    it("says what is wrong without the old typo", async () => {
      const records = intact.map((r, i) => (i === 2 ? r.replace(/"seq":2/, '"seq":2.5') : r));
      const result = await run([...KEY, "-"], FIXTURES, records.join("\n"));
      expect(result.stdout).toContain("malformed: the line holds a value outside the canonical subset");
      expect(result.stdout).not.toContain("the line is contains");
    });
  });

  it("reads stdin with -", async () => {
    const result = await run([...KEY, "-"], FIXTURES, readFileSync(join(FIXTURES, "intact.jsonl"), "utf8"));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^OK: 13 records/);
  });

  describe("finding rotated files", () => {
    const dirs: string[] = [];
    afterEach(() => {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    });

    function splitInto(names: string[]): string {
      const dir = mkdtempSync(join(tmpdir(), "mg-verify-"));
      dirs.push(dir);
      const lines = readFileSync(join(FIXTURES, "intact.jsonl"), "utf8").trimEnd().split("\n");
      const per = Math.ceil(lines.length / names.length);
      names.forEach((n, i) => writeFileSync(join(dir, n), `${lines.slice(i * per, (i + 1) * per).join("\n")}\n`));
      copyFileSync(join(FIXTURES, "signing.pub.pem"), join(dir, "key.pem"));
      return dir;
    }

    it.each<[string, string[]]>([
      ["the configured path", ["audit.jsonl"]],
      ["a directory", ["."]],
      ["files in order", ["audit.000001.jsonl", "audit.000002.jsonl", "audit.000010.jsonl"]],
    ])("from %s", async (_how, args) => {
      const dir = splitInto(["audit.000001.jsonl", "audit.000002.jsonl", "audit.000010.jsonl"]);
      const result = await run(["--public-key", "key.pem", "--require-checkpoint-at-end", ...args], dir);
      expect(result.stdout).toMatch(/^OK: 13 records/);
      expect(result.code).toBe(0);
    });

    it("sees a missing middle file", async () => {
      const dir = splitInto(["audit.000001.jsonl", "audit.000002.jsonl", "audit.000003.jsonl"]);
      rmSync(join(dir, "audit.000002.jsonl"));
      const result = await run(["--json", "audit.jsonl"], dir);
      expect(result.code).toBe(1);
      expect((JSON.parse(result.stdout) as VerifyReport).firstBad).toMatchObject({ kind: "missing", file: "audit.000003.jsonl", line: 1 });
    });

    it("sees files given in the wrong order", async () => {
      const dir = splitInto(["audit.000001.jsonl", "audit.000002.jsonl"]);
      const result = await run(["audit.000002.jsonl", "audit.000001.jsonl"], dir);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("first bad record: audit.000002.jsonl:1");
    });
  });

  it.each<[string, string[], string]>([
    ["no path", [], "give at least one audit file"],
    ["an unknown flag", ["--publickey", "x", "intact.jsonl"], "Unknown option '--publickey'"],
    ["a missing file", ["nope.jsonl"], "nope.jsonl: no such file, and no rotated audit files named after it"],
    ["a missing key file", ["--public-key", "nope.pem", "intact.jsonl"], "nope.pem"],
    ["a key file that is not a public key", ["--public-key", "intact.jsonl", "intact.jsonl"], "not a public key in PEM form"],
  ])("exits 2 for %s", async (_name, args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe("");
  });

  it("prints its help", async () => {
    expect(await run(["--help"])).toEqual({ code: 0, stdout: AUDIT_VERIFY_USAGE, stderr: "" });
  });
});
