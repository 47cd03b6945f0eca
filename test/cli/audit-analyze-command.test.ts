import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAuditAnalyze, type AuditAnalyzeIo } from "../../src/cli/audit-analyze-command.ts";
import type { SealedRecord } from "../../src/core/audit/chain.ts";
import { ALL_AT_ONCE, SCENARIOS, T0, traffic, TEST_CONFIG_RAW } from "../core/anomaly/patterns.ts";
import { auditEventsOf, sealAll } from "../core/anomaly/records.ts";

// `modelgate audit analyze` over audit files written from crafted traffic through
// buildAuditRecord and the hash chain: the same findings the rules give online.

let dir: string;
const lines = (records: readonly SealedRecord[]) => records.map((r) => `${r.line}\n`).join("");

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "modelgate-analyze-"));
  const events = auditEventsOf(traffic(ALL_AT_ONCE.calls));
  writeFileSync(join(dir, "one.jsonl"), lines(sealAll(events, "pod-a@2026-11-01T00:00:00.000Z")));
  // The same traffic served by two replicas, each with its own chain in rotated files.
  for (const [n, pod] of ["pod-a", "pod-b"].entries()) {
    mkdirSync(join(dir, pod));
    const mine = sealAll(
      events.filter((e) => Number(String(e["request_id"] ?? "r-0").slice(2)) % 2 === n),
      `${pod}@2026-11-01T00:00:00.000Z`,
    );
    const half = Math.floor(mine.length / 2);
    writeFileSync(join(dir, pod, "audit.000001.jsonl"), lines(mine.slice(0, half)));
    writeFileSync(join(dir, pod, "audit.000002.jsonl"), lines(mine.slice(half)));
  }
  const quiet = SCENARIOS.find((s) => s.name.startsWith("near misses"))?.calls ?? [];
  writeFileSync(join(dir, "quiet.jsonl"), lines(sealAll(auditEventsOf(traffic(quiet)), "pod-q@2026-11-01T00:00:00.000Z")));
  // The policy every crafted decision names (ml/models), choosing its own responses.
  writeFileSync(
    join(dir, "policies.yaml"),
    "apiVersion: modelgate.io/v1alpha1\nkind: AccessPolicy\nmetadata: { name: models, namespace: ml }\nspec:\n  models: ['*']\n  anomaly: { volume: block, sharing: lower-limits }\n  rules: [{ name: team-ml, effect: Allow, subjects: [{}], actions: [predict] }]\n",
  );
  // A directory of policies, as deployed: ml/models in one file, an unrelated policy in another.
  mkdirSync(join(dir, "policies.d"));
  writeFileSync(join(dir, "policies.d", "models.yml"), readFileSync(join(dir, "policies.yaml")));
  writeFileSync(
    join(dir, "policies.d", "other.yaml"),
    "apiVersion: modelgate.io/v1alpha1\nkind: AccessPolicy\nmetadata: { name: other, namespace: ml }\nspec:\n  models: ['other']\n  anomaly: { probing: block }\n  rules: [{ name: r, effect: Allow, subjects: [{}], actions: [predict] }]\n",
  );
  writeFileSync(join(dir, "policies.d", "README.md"), "not a policy\n");
  mkdirSync(join(dir, "no-policies.d"));
  writeFileSync(
    join(dir, "bad-cel-policy.yaml"),
    "apiVersion: modelgate.io/v1alpha1\nkind: AccessPolicy\nmetadata: { name: models, namespace: ml }\nspec:\n  models: ['*']\n  anomaly: { volume: block }\n  rules: [{ name: r, effect: Allow, subjects: [{}], actions: [predict], when: 'request.nope == 1' }]\n",
  );
  writeFileSync(
    join(dir, "broken-policy.yaml"),
    "apiVersion: modelgate.io/v1alpha1\nkind: AccessPolicy\nmetadata: { name: models, namespace: ml }\nspec:\n  models: ['*']\n  anomaly: { volume: ban }\n  rules: [{ name: r, effect: Allow, subjects: [{}], actions: [predict] }]\n",
  );
  writeFileSync(
    join(dir, "modelgate.yaml"),
    `listen: 127.0.0.1:9001\nanomaly:\n  rules:\n${Object.entries(TEST_CONFIG_RAW.rules)
      .map(([r, v]) => `    ${r}: ${JSON.stringify(v)}`)
      .join("\n")}\n`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: readonly string[], stdin = ""): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: AuditAnalyzeIo = {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    cwd: dir,
    stdin: Readable.from([stdin]),
    now: () => T0 + 2 * 3_600_000,
  };
  const code = await runAuditAnalyze(args, io);
  return { code, out, err };
}

interface JsonReport {
  findings: {
    rule: string;
    identity: { subject: string };
    window: { start: string };
    observed: Record<string, number>;
    trigger: { time: string };
    response: { action: string };
  }[];
  records: number;
  observations: number;
}

const json = async (args: readonly string[]): Promise<JsonReport> => JSON.parse((await run([...args, "--json"])).out) as JsonReport;
const facts = (r: JsonReport) => r.findings.map((f) => ({ rule: f.rule, subject: f.identity.subject }));
const CONFIG = ["--config", "modelgate.yaml"];

describe("modelgate audit analyze", () => {
  it("finds every crafted attack, as a table, and exits 1", async () => {
    const { code, out, err } = await run([...CONFIG, "one.jsonl"]);
    expect(err).toBe("");
    expect(code).toBe(1);
    const rows = out.trimEnd().split("\n");
    expect(rows[0]).toMatch(/^TIME\s+RULE\s+IDENTITY\s+WINDOW\s+OBSERVED\s+THRESHOLD\s+RESPONSE$/);
    expect(rows.slice(1, 5).map((r) => r.split(/\s{2,}/).slice(1, 3))).toEqual([
      ["volume", "apikey:mallory@example.com key=kmalloryxxxx"],
      ["probing", "jwt:trudy@example.com"],
      ["reconnaissance", "apikey:eve@example.com key=kevexxxxxxxx"],
      ["sharing", "apikey:oscar@example.com key=koscarxxxxxx"],
    ]);
    expect(rows[5]).toMatch(/^4 findings in \d+ records \(\d+ observations\) from 1 file$/);
  });

  it("prints the findings as anomaly records with --json", async () => {
    const report = await json([...CONFIG, "one.jsonl"]);
    expect(facts(report)).toEqual(ALL_AT_ONCE.expected);
    expect(report.findings[0]).toMatchObject({
      type: "anomaly",
      rule: "volume",
      window: { start: "2026-11-01T00:20:00.000Z", ms: 60_000 },
      observed: { requests: 40, baseline_milli: 6000 },
      threshold: { requests: 40 },
      response: { action: "alert" },
    });
  });

  it.each([
    ["a file", ["--policies", "policies.yaml"]],
    ["a directory of .yaml and .yml files", ["--policies", "policies.d"]],
  ])("reports the responses the decisions' AccessPolicies choose with --policies: %s", async (_name, policies) => {
    const report = await json([...CONFIG, ...policies, "one.jsonl"]);
    expect(report.findings.map((f) => [f.rule, f.response.action])).toEqual([
      ["volume", "block"],
      ["probing", "alert"],
      ["reconnaissance", "alert"],
      ["sharing", "lower-limits"],
    ]);
  });

  it("merges the replicas' rotated files by time into the same findings", async () => {
    const merged = await json([...CONFIG, "pod-a", "pod-b"]);
    const single = await json([...CONFIG, "one.jsonl"]);
    expect(merged.records).toBe(single.records);
    expect(merged.findings.map(({ trigger: _t, ...f }) => f)).toEqual(single.findings.map(({ trigger: _t, ...f }) => f));
  });

  it("stays quiet on normal traffic and near misses, and exits 0", async () => {
    const { code, out } = await run([...CONFIG, "quiet.jsonl"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^0 findings in \d+ records/);
  });

  it.each([
    ["--since 01:00", ["--since", "2026-11-01T01:00:00Z"], ["reconnaissance", "sharing"]],
    ["--until 00:42", ["--until", "2026-11-01T00:42:00Z"], ["volume", "probing"]],
    ["--since a duration ago", ["--since", "60m"], ["reconnaissance", "sharing"]],
    ["a higher threshold", ["--set", "reconnaissance.models=20", "--set", "volume.minRequests=1000"], ["probing", "sharing"]],
    ["a rule switched off", ["--set", "rules.sharing.enabled=false"], ["volume", "probing", "reconnaissance"]],
  ])("%s", async (_name, args, rules) => {
    expect((await json([...CONFIG, ...args, "one.jsonl"])).findings.map((f) => f.rule)).toEqual(rules);
  });

  it("uses the documented defaults without --config", async () => {
    // 120 calls in a minute are under the default 300, 12 models under 20 and 10 sources under
    // 20; 30 denials in 40 calls are over the default 50 % of at least 20.
    expect(facts(await json(["one.jsonl"]))).toEqual([{ rule: "probing", subject: "trudy@example.com" }]);
  });

  it("reads stdin and skips application log lines with --mixed", async () => {
    const text = (await import("node:fs"))
      .readFileSync(join(dir, "one.jsonl"), "utf8")
      .split("\n")
      .flatMap((l, i) => (i % 100 === 0 ? ['{"level":"info","msg":"hello"}', l] : [l]))
      .join("\n");
    const report = JSON.parse((await run([...CONFIG, "--mixed", "--json", "-"], text)).out) as JsonReport & { skipped_lines: number };
    expect(facts(report)).toEqual(ALL_AT_ONCE.expected);
    expect(report.skipped_lines).toBeGreaterThan(10);
  });

  it("warns about lines that are not audit records", async () => {
    writeFileSync(join(dir, "broken.jsonl"), `not json\n${(await import("node:fs")).readFileSync(join(dir, "quiet.jsonl"), "utf8")}`);
    const { code, err } = await run([...CONFIG, "broken.jsonl"]);
    expect(code).toBe(0);
    expect(err).toBe("warning: 1 lines are not valid audit records; the first: broken.jsonl:1: the line is not valid JSON\n");
  });

  it.each([
    [["one.jsonl", "--set", "volume.factor=0.5"], "anomaly.rules.volume.factor: must be a number greater than 1"],
    [["one.jsonl", "--set", "volume"], "expected RULE.KEY=VALUE"],
    [["one.jsonl", "--since", "yesterday"], "--since yesterday: expected an RFC 3339 time"],
    [["one.jsonl", "--since", "2026-11-02T00:00:00Z", "--until", "2026-11-01T00:00:00Z"], "--since must be before --until"],
    [["missing.jsonl"], "missing.jsonl: no such file"],
    [["--config", "nope.yaml", "one.jsonl"], "nope.yaml: ENOENT"],
    [[], "give at least one audit file"],
    [["--frobnicate", "one.jsonl"], "Unknown option '--frobnicate'"],
    [
      ["--policies", "broken-policy.yaml", "one.jsonl"],
      'analyze: broken-policy.yaml#0:spec.anomaly.volume: unknown response "ban"; expected one of alert, lower-limits, block',
    ],
    [["--policies", "bad-cel-policy.yaml", "one.jsonl"], 'bad-cel-policy.yaml#0:spec.rules[0].when: "request" has no field "nope"'],
    [
      ["--policies", "policies.yaml", "--policies", "policies.d", "one.jsonl"],
      "analyze: ml/models: metadata.name: duplicate policy ml/models",
    ],
    [["--policies", "no-policies.d", "one.jsonl"], "no-policies.d: no .yaml or .yml policy files"],
    [["--policies", "absent.yaml", "one.jsonl"], "absent.yaml: ENOENT"],
  ])("refuses %j with exit 2", async (args, message) => {
    const { code, err } = await run(args);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it("explains itself with --help", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out).toContain("Usage: modelgate audit analyze");
  });
});
