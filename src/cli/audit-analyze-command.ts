import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { AnomalyAnalyzer } from "../core/anomaly/anomaly-analyzer.ts";
import { type AnomalyConfig } from "../core/anomaly/anomaly-config.ts";
import { parseAnomalyConfig } from "../config/parse-anomaly.ts";
import { findingsTable } from "../core/anomaly/analyze-report.ts";
import type { AnomalyFinding } from "../core/anomaly/finding.ts";
import { ANOMALY_RULES } from "../core/anomaly/rules.ts";
import { anomalyEvent } from "../core/audit/anomaly-record.ts";
import { isPlainObject } from "../core/parse/fields.ts";
import { parseDuration } from "../core/policy/duration.ts";
import { err, ok, type Result } from "../core/result.ts";
import { resolveAuditPaths } from "../adapters/audit/audit-file-reader.ts";
import { emptyStats, timeMergedRecords, type MergeSource, type ReadStats } from "../adapters/anomaly/time-merged-records.ts";
import { loadPolicyResponses } from "./analyze-policies.ts";

export interface AuditAnalyzeIo {
  stdout(s: string): void;
  stderr(s: string): void;
  readonly cwd: string;
  readonly stdin: Readable;
  readonly now: () => number; // for --since 24h
}

export const AUDIT_ANALYZE_USAGE = `Usage: modelgate audit analyze [options] PATH...

Runs the anomaly rules (volume, probing, reconnaissance, sharing) over audit files, offline,
with the same thresholds and arithmetic as the online detector, over the records' own times.
Files of several replicas are merged by time. The chain is not verified: use audit verify.

PATH is an audit file, a directory of rotated files, the configured audit path, or - for stdin.

  --config FILE        thresholds from the anomaly: section of a modelgate configuration file
  --policies PATH      AccessPolicy YAML, a file or a directory of .yaml files (repeatable):
                       each finding gets the response its decision's policy chooses in
                       spec.anomaly, as the server would (otherwise the rule's own response)
  --set RULE.KEY=VALUE override one setting (repeatable), e.g. --set volume.factor=5
                       --set sharing.window=1h --set probing.errorStatuses=[5xx,429]
  --since TIME         report findings from TIME (RFC 3339, or a duration ago such as 24h);
                       earlier records still feed the baselines
  --until TIME         report findings before TIME
  --mixed              skip lines that are not audit records (stdout shared with logs)
  --json               print the findings as JSON (shaped like the online anomaly records)
  -h, --help           show this help

Exit status: 0 no findings, 1 findings, 2 usage or I/O error.
`;

const OPTIONS = {
  config: { type: "string" },
  policies: { type: "string", multiple: true },
  set: { type: "string", multiple: true },
  since: { type: "string" },
  until: { type: "string" },
  mixed: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Parsed = ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true; allowPositionals: true }>>;

interface Range {
  readonly since: number;
  readonly until: number;
}

export async function runAuditAnalyze(args: readonly string[], io: AuditAnalyzeIo): Promise<number> {
  const parsed = parseFlags(args);
  if (!parsed.ok) return usage(io, parsed.error);
  const { values, positionals } = parsed.value;
  if (values.help === true) {
    io.stdout(AUDIT_ANALYZE_USAGE);
    return 0;
  }
  if (positionals.length === 0) return usage(io, "give at least one audit file, directory or configured path");
  const config = await loadConfig(values.config, values.set ?? [], io.cwd);
  if (!config.ok) return usage(io, config.error);
  const range = rangeOf(values.since, values.until, io.now());
  if (!range.ok) return usage(io, range.error);
  const responses = await loadPolicyResponses(values.policies ?? [], io.cwd);
  if (!responses.ok) return usage(io, responses.error);
  const files = await resolveAuditPaths(
    positionals.filter((p) => p !== "-"),
    io.cwd,
  );
  if (!files.ok) return usage(io, files.error);
  const sources: MergeSource[] = [
    ...(positionals.includes("-") ? [{ name: "-", stream: io.stdin }] : []),
    ...files.files.map((f) => ({ name: f, stream: createReadStream(resolve(io.cwd, f)) })),
  ];
  const run = await analyze(sources, new AnomalyAnalyzer(config.value, responses.value), range.value, values.mixed === true);
  if (!run.ok) return usage(io, run.error);
  const { findings, stats, observations } = run.value;
  io.stdout(
    values.json === true
      ? jsonReport(findings, stats, observations, sources.length)
      : textReport(findings, stats, observations, sources.length),
  );
  if (stats.firstInvalid !== undefined)
    io.stderr(`warning: ${stats.invalid} lines are not valid audit records; the first: ${stats.firstInvalid}\n`);
  return findings.length > 0 ? 1 : 0;
}

function parseFlags(args: readonly string[]): Result<Parsed, string> {
  try {
    return ok(parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: true }));
  } catch (error: unknown) {
    // parseArgs reports unknown flags by throwing; this is the CLI boundary.
    return err(error instanceof Error ? error.message : String(error));
  }
}

// The configuration's anomaly: section (or nothing: the defaults), then each --set on top, all
// validated together so a bad override is reported with its path like a bad file.
async function loadConfig(file: string | undefined, sets: readonly string[], cwd: string): Promise<Result<AnomalyConfig, string>> {
  let raw: Record<string, unknown> = {};
  if (file !== undefined) {
    const text = await readFile(resolve(cwd, file), "utf8").then(
      (t) => ok(t),
      (e: unknown) => err(`${file}: ${e instanceof Error ? e.message : String(e)}`),
    );
    if (!text.ok) return text;
    const doc = parseYamlSafe(text.value);
    if (!doc.ok) return err(`${file}: ${doc.error}`);
    const section = isPlainObject(doc.value) ? doc.value["anomaly"] : undefined;
    raw = isPlainObject(section) ? structuredClone(section) : {};
  }
  for (const assignment of sets) {
    const applied = applySet(raw, assignment);
    if (!applied.ok) return applied;
  }
  const config = parseAnomalyConfig(raw, "anomaly");
  return config.ok ? config : err(config.error.map((i) => `${i.path}: ${i.message}`).join("\n  "));
}

function parseYamlSafe(text: string): Result<unknown, string> {
  try {
    return ok(parseYaml(text) as unknown);
  } catch (error: unknown) {
    // The yaml package reports syntax errors by throwing; this is the file boundary.
    return err(error instanceof Error ? error.message : String(error));
  }
}

function applySet(raw: Record<string, unknown>, assignment: string): Result<true, string> {
  const eq = assignment.indexOf("=");
  if (eq <= 0) return err(`--set ${assignment}: expected RULE.KEY=VALUE, e.g. volume.factor=5`);
  const path = assignment.slice(0, eq).split(".");
  const value = parseYamlSafe(assignment.slice(eq + 1));
  if (!value.ok) return err(`--set ${assignment}: ${value.error}`);
  const full = (ANOMALY_RULES as readonly string[]).includes(path[0] ?? "") ? ["rules", ...path] : path;
  let at = raw;
  for (const segment of full.slice(0, -1)) {
    const next = at[segment];
    if (next !== undefined && !isPlainObject(next)) return err(`--set ${assignment}: ${segment} is not a mapping`);
    at = at[segment] = next ?? {};
  }
  at[full.at(-1) ?? ""] = value.value;
  return ok(true);
}

function timeArg(text: string | undefined, now: number, flag: string, fallback: number): Result<number, string> {
  if (text === undefined) return ok(fallback);
  const ago = parseDuration(text);
  if (ago.ok) return ok(now - ago.value);
  const at = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isFinite(at) ? ok(at) : err(`${flag} ${text}: expected an RFC 3339 time (2026-11-01T00:00:00Z) or a duration ago (24h)`);
}

function rangeOf(since: string | undefined, until: string | undefined, now: number): Result<Range, string> {
  const s = timeArg(since, now, "--since", Number.NEGATIVE_INFINITY);
  if (!s.ok) return s;
  const u = timeArg(until, now, "--until", Number.POSITIVE_INFINITY);
  if (!u.ok) return u;
  return s.value < u.value ? ok({ since: s.value, until: u.value }) : err("--since must be before --until");
}

interface Analysis {
  readonly findings: AnomalyFinding[];
  readonly stats: ReadStats;
  readonly observations: number;
}

async function analyze(
  sources: readonly MergeSource[],
  analyzer: AnomalyAnalyzer,
  range: Range,
  mixed: boolean,
): Promise<Result<Analysis, string>> {
  const { config } = analyzer;
  const stats = emptyStats();
  const findings: AnomalyFinding[] = [];
  // Outcome records arrive up to outcomes.wait after their decision: read that far past --until.
  const stopAt = range.until + config.outcomes.waitMs;
  try {
    for await (const r of timeMergedRecords(sources, mixed, stats)) {
      if (r.time >= stopAt) break;
      for (const f of analyzer.record(r.record.type, r.record.object)) if (f.time >= range.since && f.time < range.until) findings.push(f);
    }
    return ok({ findings, stats, observations: analyzer.observations });
  } catch (error: unknown) {
    return err(error instanceof Error ? error.message : String(error));
  } finally {
    for (const s of sources) if (s.name !== "-") s.stream.destroy();
  }
}

function summary(findings: number, stats: ReadStats, observations: number, files: number): string {
  return `${findings} finding${findings === 1 ? "" : "s"} in ${stats.records} records (${observations} observations) from ${files} file${files === 1 ? "" : "s"}`;
}

function textReport(findings: readonly AnomalyFinding[], stats: ReadStats, observations: number, files: number): string {
  const table = findings.length > 0 ? findingsTable(findings) : "";
  return `${table}${summary(findings.length, stats, observations, files)}\n`;
}

function jsonReport(findings: readonly AnomalyFinding[], stats: ReadStats, observations: number, files: number): string {
  const report = {
    findings: findings.map((f) => anomalyEvent(f, f.time)),
    records: stats.records,
    observations,
    files,
    skipped_lines: stats.skipped,
    invalid_lines: stats.invalid,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

function usage(io: AuditAnalyzeIo, message: string): number {
  io.stderr(`modelgate audit analyze: ${message}\nTry: modelgate audit analyze --help\n`);
  return 2;
}
