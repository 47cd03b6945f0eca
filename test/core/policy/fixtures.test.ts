import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compilePolicies } from "../../../src/core/policy/compile.ts";
import { parsePolicyYaml } from "../../../src/core/policy/load-yaml.ts";

const ROOT = join(import.meta.dirname, "../../fixtures/policies");
const yamlFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(".yaml"))
    .sort();
const load = (dir: string, file: string) => parsePolicyYaml(readFileSync(join(ROOT, dir, file), "utf8"), file);

// file → [path substring, message substring] that at least one issue must carry.
const INVALID: Readonly<Record<string, readonly [string, string]>> = {
  "action-with-uppercase.yaml": ["#0:spec.rules[0].actions[0]", "lower-case identifier"],
  "anomaly-not-a-mapping.yaml": ["spec.anomaly", "expected a mapping"],
  "anomaly-unknown-action.yaml": ["spec.anomaly.volume", 'unknown response "deny"; expected one of alert, lower-limits, block'],
  "anomaly-unknown-rule.yaml": [
    "spec.anomaly.theft",
    'unknown anomaly rule "theft"; the rules are volume, probing, reconnaissance, sharing',
  ],
  "anonymous-with-subject.yaml": ["spec.rules[0].subjects[0].method", "anonymous callers have no subject"],
  "attribute-matcher-empty-list.yaml": ["spec.rules[0].subjects[0].attributes.team", "at least 1 item"],
  "attribute-matcher-not-string.yaml": ["spec.rules[0].subjects[0].attributes.tier", 'quote it: "1"'],
  "bad-cel-syntax.yaml": ["spec.rules[0].when", "CEL syntax error: line 1"],
  "burst-refill-too-long.yaml": ["spec.rules[0].limits[0].burst", "longer than 30d to refill"],
  "burst-zero.yaml": ["spec.rules[0].limits[0].burst", "between 1 and"],
  "by-unknown-kind.yaml": ["spec.rules[0].limits[0].by", "not a limit key"],
  "cel-compares-string-with-int.yaml": [
    "spec.rules[0].when",
    "request.environment == 1 compares a string with an int, which are never equal",
  ],
  "cel-condition-not-boolean.yaml": ["spec.rules[0].when", "the condition must be a bool, but it is a string"],
  "cel-deny-orders-string-against-int.yaml": ["spec.rules[1].when", "< cannot be applied to (string, int)"],
  "cel-unknown-field.yaml": ["spec.rules[0].when", '"request" has no field "enviroment"'],
  "cel-unknown-function.yaml": ["spec.rules[0].when", 'unknown function "lowerAscii"'],
  "cel-unknown-variable.yaml": ["spec.rules[0].when", 'unknown variable "env"'],
  "deny-rule-with-limits.yaml": ["spec.rules[0].limits", "a Deny rule cannot have limits"],
  "document-not-a-mapping.yaml": ["document-not-a-mapping.yaml#0", "expected a mapping"],
  "duplicate-limit-names.yaml": ["spec.limits[1].name", 'duplicate limit name "org"'],
  "duplicate-rule-limit-names.yaml": ["spec.rules[0].limits[1].name", 'duplicate limit name "minute"'],
  "duplicate-rule-names.yaml": ["spec.rules[1].name", 'duplicate rule name "predict"'],
  "empty-model-glob.yaml": ["spec.models[0]", "must not be empty"],
  "empty-file.yaml": ["empty-file.yaml", "holds no policy document"],
  "empty-models.yaml": ["spec.models", "at least 1 item"],
  "empty-subjects-list.yaml": ["spec.rules[0].subjects", "at least 1 item"],
  "empty-when.yaml": ["spec.rules[0].when", "must not be empty"],
  "failure-mode-invalid.yaml": ["spec.failureMode", "expected open or closed"],
  "invalid-namespace.yaml": ["metadata.namespace", "DNS-1123 label"],
  "invalid-policy-name.yaml": ["metadata.name", "DNS-1123 subdomain"],
  "limit-shadow-not-boolean.yaml": ["spec.rules[0].limits[0].shadow", "expected true or false"],
  "limit-period-fraction.yaml": ["spec.rules[0].limits[0].per", "fractions are not supported"],
  "limit-period-garbage.yaml": ["spec.rules[0].limits[0].per", "expected a duration"],
  "limit-period-number.yaml": ["spec.rules[0].limits[0].per", "expected a duration string"],
  "limit-period-too-long.yaml": ["spec.rules[0].limits[0].per", "maximum is 30d"],
  "limit-period-zero.yaml": ["spec.rules[0].limits[0].per", "greater than zero"],
  "lowercase-effect.yaml": ["spec.rules[0].effect", "case matters"],
  "misspelled-effect.yaml": ["spec.rules[0].effect", "expected Allow or Deny"],
  "misspelled-subjects-key.yaml": ["spec.rules[0].subject", 'did you mean "subjects"?'],
  "missing-models.yaml": ["spec.models", "is required"],
  "model-glob-empty-segment.yaml": ["spec.models[0]", "empty segment"],
  "model-glob-partial-double-star.yaml": ["spec.models[0]", "'**' must be a whole segment"],
  "negative-requests.yaml": ["spec.rules[0].limits[0].requests", "between 1 and"],
  "only-separators.yaml": ["only-separators.yaml", "to serve no policies on purpose, write `[]`"],
  "penalty-box-max-block-shorter-than-block.yaml": ["spec.penaltyBox.maxBlock", "at least as long as block"],
  "penalty-box-not-a-mapping.yaml": ["spec.penaltyBox", "expected a mapping"],
  "penalty-box-unknown-key.yaml": ["spec.penaltyBox.blockFor", 'unknown field "blockFor"; allowed: violations, within, block, maxBlock'],
  "penalty-box-violations-zero.yaml": ["spec.penaltyBox.violations", "between 1 and"],
  "penalty-box-within-number.yaml": ["spec.penaltyBox.within", "expected a duration string"],
  "priority-not-integer.yaml": ["spec.priority", "expected an integer"],
  "route-action-wildcard.yaml": ["spec.routes[0].action", "lower-case identifier"],
  "route-double-model.yaml": ["spec.routes[0].path", "{model} may appear once"],
  "route-lowercase-method.yaml": ["spec.routes[0].method", "upper-case HTTP method"],
  "route-path-relative.yaml": ["spec.routes[0].path", "must start with /"],
  "rule-without-subjects.yaml": ["spec.rules[0].subjects", "is required"],
  "rules-missing.yaml": ["spec.rules", "is required"],
  "spec-not-a-mapping.yaml": ["#0:spec", "expected a mapping, got a list"],
  "spiffe-not-a-uri.yaml": ["spec.rules[0].subjects[0].spiffe", "expected spiffe://"],
  "spiffe-with-jwt-method.yaml": ["spec.rules[0].subjects[0].spiffe", "only matches mTLS identities"],
  "subject-unknown-method.yaml": ["spec.rules[0].subjects[0].method", "expected one of apikey, jwt, mtls, anonymous"],
  "unknown-metadata-key.yaml": ["metadata.owner", 'unknown field "owner"'],
  "unknown-top-level-key.yaml": ["#0:labels", 'unknown field "labels"'],
  "wrong-api-version.yaml": ["#0:apiVersion", 'expected "modelgate.io/v1alpha1"'],
  "wrong-kind.yaml": ["#0:kind", 'expected "AccessPolicy"'],
  "yaml-alias-bomb.yaml": ["yaml-alias-bomb.yaml#0", "resource exhaustion"],
  "yaml-duplicate-key.yaml": ["yaml-duplicate-key.yaml#0", "line 15"],
  "yaml-syntax-error.yaml": ["yaml-syntax-error.yaml#0", "YAML error at line"],
};

describe("invalid policy fixtures", () => {
  it("every fixture has an expectation and every expectation a fixture", () => {
    expect(yamlFiles("invalid")).toEqual(Object.keys(INVALID).sort());
  });

  it.each(Object.entries(INVALID))("%s is rejected at %j", (file, [path, message]) => {
    const result = load("invalid", file);
    expect(result.policies).toEqual([]);
    expect(result.issues).toContainEqual(
      expect.objectContaining({ path: expect.stringContaining(path), message: expect.stringContaining(message) }),
    );
    for (const issue of result.issues) expect(issue.path === file || issue.path.startsWith(`${file}#`)).toBe(true);
  });
});

describe("valid policy fixtures", () => {
  it.each(yamlFiles("valid"))("%s parses and compiles without issues", (file) => {
    const result = load("valid", file);
    expect(result.issues).toEqual([]);
    expect(result.policies.length).toBeGreaterThan(0);
    const compiled = compilePolicies(result.policies);
    expect(compiled.issues).toEqual([]);
    expect(compiled.index.policyCount).toBe(result.policies.length);
  });

  it("spec.anomaly choices are served by the index, per policy; absent means none", () => {
    const every = compilePolicies(load("valid", "every-field.yaml").policies).index;
    expect(every.anomalyResponses("ml-prod", "llm-gateway")).toEqual({
      volume: "lower-limits",
      probing: "block",
      reconnaissance: "alert",
      sharing: "block",
    });
    expect(every.anomalyResponses("ml-prod", "no-such-policy")).toBeUndefined();
    const minimal = load("valid", "minimal.yaml").policies;
    const first = minimal[0];
    if (first === undefined) throw new Error("minimal.yaml has no policy");
    expect(compilePolicies(minimal).index.anomalyResponses(first.metadata.namespace, first.metadata.name)).toEqual({});
  });
});
