import { describe, expect, it } from "vitest";
import { AnomalyAnalyzer } from "../../../src/core/anomaly/anomaly-analyzer.ts";
import type { AnomalyFinding } from "../../../src/core/anomaly/finding.ts";
import { NO_POLICY_RESPONSES, type PolicyResponses } from "../../../src/core/anomaly/policy-responses.ts";
import { parseAuditLine } from "../../../src/core/audit/parse-record.ts";
import { compilePolicies } from "../../../src/core/policy/compile.ts";
import { parsePolicyYaml } from "../../../src/core/policy/load-yaml.ts";
import { ALL_AT_ONCE, SCENARIOS, testConfig, traffic, type Scenario } from "./patterns.ts";
import { auditEventsOf, sealAll } from "./records.ts";

// The rules over crafted traffic, offline: each attack fires its rule exactly once for the
// attacker, and normal traffic (and near misses) fire nothing.

function analyze(
  s: Scenario,
  subjects: "plain" | "hmac" = "plain",
  config = testConfig(),
  responses: PolicyResponses = NO_POLICY_RESPONSES,
): AnomalyFinding[] {
  const analyzer = new AnomalyAnalyzer(config, responses);
  const findings: AnomalyFinding[] = [];
  for (const record of sealAll(auditEventsOf(traffic(s.calls), subjects), "pod-a@2026-11-01T00:00:00.000Z")) {
    const parsed = parseAuditLine(record.line);
    if (!parsed.ok) throw new Error(parsed.error);
    findings.push(...analyzer.record(parsed.value.type, parsed.value.object));
  }
  return findings;
}

const summary = (fs: readonly AnomalyFinding[]) => fs.map((f) => ({ rule: f.rule, subject: f.identity.subject }));

describe("anomaly rules over audit records", () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))("%s", (_name, s) => {
    expect(summary(analyze(s))).toEqual(s.expected);
  });

  it("finds every attack when they happen together, in time order", () => {
    const findings = analyze(ALL_AT_ONCE);
    expect(summary(findings)).toEqual(ALL_AT_ONCE.expected);
    expect(findings.map((f) => f.time)).toEqual([...findings.map((f) => f.time)].sort((a, b) => a - b));
  });

  it("reports the numbers that crossed each threshold", () => {
    const byRule = new Map(analyze(ALL_AT_ONCE).map((f) => [f.rule, f]));
    expect(byRule.get("volume")).toMatchObject({ observed: { requests: 40 }, threshold: { requests: 40 }, windowMs: 60_000 });
    expect(byRule.get("volume")?.observed["baseline_milli"]).toBe(6000);
    expect(byRule.get("probing")).toMatchObject({
      observed: { requests: 20, bad: 15, share_permille: 750 },
      threshold: { min_requests: 20, share_permille: 500 },
    });
    expect(byRule.get("reconnaissance")).toMatchObject({ observed: { models: 8 }, threshold: { models: 8 } });
    expect(byRule.get("sharing")).toMatchObject({ observed: { sources: 6 }, threshold: { sources: 6 } });
  });

  it("groups pseudonymous subjects just as well", () => {
    const findings = analyze(ALL_AT_ONCE, "hmac");
    expect(findings.map((f) => f.rule)).toEqual(ALL_AT_ONCE.expected.map((e) => e.rule));
    for (const f of findings) expect(f.identity.subject).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  });

  it("fires again only after the cooldown, while the pattern goes on", () => {
    const s = SCENARIOS.find((x) => x.name === "sharing") as Scenario;
    expect(
      analyze(s, "plain", testConfig({ rules: { sharing: { cooldown: "1s" } } })).filter((f) => f.rule === "sharing").length,
    ).toBeGreaterThan(1);
  });

  it("stays silent for a disabled rule", () => {
    expect(analyze(ALL_AT_ONCE, "plain", testConfig({ rules: { volume: { enabled: false } } })).map((f) => f.rule)).not.toContain("volume");
  });
});

// Every crafted decision names the AccessPolicy ml/models; here it is a real one, parsed and
// compiled, and the analyzer asks the compiled index for its spec.anomaly as the server does.
function policyIndexResponses(namespace: string, anomaly: string): PolicyResponses {
  const yaml = `apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: models, namespace: ${namespace} }
spec:
  models: ["*"]
${anomaly}
  rules: [{ name: team-ml, effect: Allow, subjects: [{}], actions: [predict] }]
`;
  const parsed = parsePolicyYaml(yaml, "policy.yaml");
  expect(parsed.issues).toEqual([]);
  const { index, issues } = compilePolicies(parsed.policies);
  expect(issues).toEqual([]);
  return (ref) => index.anomalyResponses(ref.namespace, ref.name);
}

describe("the response of each finding", () => {
  // Rule defaults: probing lowers limits, sharing alerts with a factor and period of its own.
  const config = testConfig({
    rules: { probing: { response: "lower-limits", period: "2h" }, sharing: { limitFactor: 0.25, period: "1h" } },
  });
  const actions = (responses: PolicyResponses) =>
    analyze(ALL_AT_ONCE, "plain", config, responses).map((f) => [f.rule, f.response] as const);

  it("follows the decision's AccessPolicy spec.anomaly over the rule's response, with the rule's period and factor", () => {
    const responses = policyIndexResponses("ml", "  anomaly: { volume: block, probing: alert, sharing: lower-limits }");
    expect(actions(responses)).toEqual([
      ["volume", { action: "block", periodMs: 900_000, limitFactor: 1 }],
      ["probing", { action: "alert", periodMs: 0, limitFactor: 1 }],
      ["reconnaissance", { action: "alert", periodMs: 0, limitFactor: 1 }],
      ["sharing", { action: "lower-limits", periodMs: 3_600_000, limitFactor: 0.25 }],
    ]);
  });

  it.each([
    ["the policy has no spec.anomaly", "ml", ""],
    ["the loaded policy is another one (ml-other/models)", "ml-other", "  anomaly: { volume: block, probing: alert, sharing: block }"],
  ])("falls back to each rule's response when %s", (_name, namespace, anomaly) => {
    expect(actions(policyIndexResponses(namespace, anomaly))).toEqual([
      ["volume", { action: "alert", periodMs: 0, limitFactor: 1 }],
      ["probing", { action: "lower-limits", periodMs: 7_200_000, limitFactor: 0.5 }],
      ["reconnaissance", { action: "alert", periodMs: 0, limitFactor: 1 }],
      ["sharing", { action: "alert", periodMs: 0, limitFactor: 1 }],
    ]);
  });
});
