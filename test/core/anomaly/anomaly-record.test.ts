import { describe, expect, it } from "vitest";
import type { AnomalyFinding } from "../../../src/core/anomaly/finding.ts";
import { findingsTable } from "../../../src/core/anomaly/analyze-report.ts";
import { anomalyEvent } from "../../../src/core/audit/anomaly-record.ts";
import { parseAuditLine } from "../../../src/core/audit/parse-record.ts";
import { MAX_RECORD_BYTES } from "../../../src/core/audit/record.ts";
import { verifyAuditLines } from "../../../src/core/audit/verify.ts";
import { T0, traffic, person } from "./patterns.ts";
import { auditEventsOf, sealAll } from "./records.ts";

const finding: AnomalyFinding = {
  rule: "sharing",
  time: T0 + 75 * 60_000 + 150_000,
  identity: { method: "apikey", subject: "oscar@example.com", issuer: "keys", keyId: "koscarxxxxxx" },
  windowStart: T0 + 70 * 60_000,
  windowMs: 600_000,
  observed: { sources: 6 },
  threshold: { sources: 6 },
  response: { action: "block", periodMs: 900_000, limitFactor: 1 },
  decisionId: "d-11",
  requestId: "r-11",
  policy: { namespace: "ml", name: "models", generation: 1, rule: "team-ml" },
};

describe("the anomaly audit record", () => {
  it("names the rule, identity, window, numbers, response and trigger", () => {
    expect(anomalyEvent(finding, T0 + 80 * 60_000)).toEqual({
      type: "anomaly",
      time: "2026-11-01T01:20:00.000Z",
      rule: "sharing",
      identity: { method: "apikey", subject: "oscar@example.com", issuer: "keys", key_id: "koscarxxxxxx" },
      window: { start: "2026-11-01T01:10:00.000Z", ms: 600_000 },
      observed: { sources: 6 },
      threshold: { sources: 6 },
      response: { action: "block", period_ms: 900_000, limit_factor_permille: 1000, until: "2026-11-01T01:35:00.000Z" },
      trigger: { decision_id: "d-11", request_id: "r-11", time: "2026-11-01T01:17:30.000Z" },
      policy: { namespace: "ml", name: "models", generation: 1, rule: "team-ml" },
      truncated: [],
    });
  });

  it("joins the chain between decisions, and the chain still verifies", () => {
    const decisions = auditEventsOf(traffic([{ who: person("oscar"), at: T0, model: "m", address: "10.0.0.1:1" }]));
    const records = sealAll([...decisions, anomalyEvent(finding, T0 + 1), ...decisions], "pod-a@2026-11-01T00:00:00.000Z");
    const parsed = parseAuditLine(records[2]?.line ?? "");
    expect(parsed.ok && parsed.value.type).toBe("anomaly");
    const report = verifyAuditLines(
      records.map((r, i) => ({ file: "a.jsonl", line: i + 1, text: r.line })),
      { keys: [], requireCheckpointAtEnd: false, allowPartialStart: false, mixed: false },
    );
    expect(report.ok).toBe(true);
    expect(report.records).toBe(records.length);
  });

  it("stays one bounded record for a hostile identity", () => {
    const evil = {
      ...finding,
      identity: { method: "apikey", subject: `a\nb"\u001b[2J${"x".repeat(1 << 20)}`, issuer: "i".repeat(5000), keyId: "k" },
      decisionId: "d".repeat(4000),
    };
    const [record] = sealAll([anomalyEvent(evil, T0)], "pod-a@2026-11-01T00:00:00.000Z");
    expect(record?.line).not.toMatch(/[\n\u001b]/);
    expect(record?.bytes).toBeLessThan(MAX_RECORD_BYTES);
    const parsed = parseAuditLine(record?.line ?? "");
    expect(parsed.ok && parsed.value.object["truncated"]).toEqual(["identity.subject", "identity.issuer", "trigger.decision_id"]);
  });

  it("prints as one table row with escaped identity text", () => {
    const table = findingsTable([
      finding,
      {
        ...finding,
        rule: "volume",
        identity: { ...finding.identity, subject: "m\u001b[31m\nx" },
        observed: { requests: 40, baseline_milli: 6000 },
        threshold: { requests: 40 },
        response: { action: "alert", periodMs: 0, limitFactor: 1 },
      },
    ]);
    const lines = table.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^TIME\s+RULE\s+IDENTITY\s+WINDOW\s+OBSERVED\s+THRESHOLD\s+RESPONSE$/);
    expect(lines[1]).toContain("sharing");
    expect(lines[1]).toContain("apikey:oscar@example.com key=koscarxxxxxx");
    expect(lines[1]).toContain("01:10+10m");
    expect(lines[1]).toContain("block 15m");
    expect(lines[2]).toContain("requests=40 baseline=6.0");
    expect(lines[2]).toContain("m\\u001b[31m\\nx");
    expect(table).not.toMatch(/\u001b/);
  });
});
