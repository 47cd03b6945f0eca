import type { AnomalyFinding } from "./finding.ts";

// `modelgate audit analyze` output: a fixed-width table for people. (The JSON form is the
// findings as `anomaly` records, the shape the online detector writes.)

const MINUTE = 60_000;

export function durationText(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % MINUTE === 0) return `${ms / MINUTE}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

// Identity strings are attacker-influenced: control characters are shown escaped, and the
// column is capped so one hostile subject cannot wreck the table.
function printable(text: string, max: number): string {
  const escaped = JSON.stringify(text)
    .slice(1, -1)
    .replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

function who(f: AnomalyFinding): string {
  const id = f.identity;
  const key = id.keyId !== "" && id.method === "apikey" ? ` key=${id.keyId}` : "";
  return printable(`${id.method}:${id.subject}${key}`, 48);
}

function pairs(values: Readonly<Record<string, number>>): string {
  return Object.entries(values)
    .map(([k, v]) => (k === "baseline_milli" ? `baseline=${(v / 1000).toFixed(1)}` : `${k}=${v}`))
    .join(" ");
}

function response(f: AnomalyFinding): string {
  const r = f.response;
  if (r.action === "alert") return "alert";
  return r.action === "block" ? `block ${durationText(r.periodMs)}` : `lower-limits ×${r.limitFactor} ${durationText(r.periodMs)}`;
}

export function findingRow(f: AnomalyFinding): readonly string[] {
  const window = `${hhmm(f.windowStart)}+${durationText(f.windowMs)}`;
  return [new Date(f.time).toISOString(), f.rule, who(f), window, pairs(f.observed), pairs(f.threshold), response(f)];
}

const HEADER = ["TIME", "RULE", "IDENTITY", "WINDOW", "OBSERVED", "THRESHOLD", "RESPONSE"];

export function findingsTable(findings: readonly AnomalyFinding[]): string {
  const rows = [HEADER, ...findings.map(findingRow)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")).join("\n") + "\n";
}
