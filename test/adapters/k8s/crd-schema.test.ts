import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { crdCopies } from "./crd-copies.ts";
import { modelGlobProblem } from "../../../src/core/policy/model-glob.ts";
import { ACTION_NAME, RULE_NAME } from "../../../src/core/policy/names.ts";
import { spiffePatternProblem } from "../../../src/core/policy/spiffe.ts";
import { parseDuration } from "../../../src/core/policy/duration.ts";
import { MAX_ITEMS } from "../../../src/core/policy/list-limits.ts";
import { ANOMALY_ACTIONS, ANOMALY_RULES } from "../../../src/core/anomaly/rules.ts";

// The CRD file is the one source of truth for the Kubernetes schema. Its patterns must say what
// the validator says (checked here on a table of samples; test/integration/k8s-crd.test.ts runs
// every fixture through a real API server), and any copy of it must be byte-identical.

const ROOT = join(import.meta.dirname, "../../..");
const CRD_PATH = join(ROOT, "deploy/crds/accesspolicies.modelgate.io.yaml");
const CRD_TEXT = readFileSync(CRD_PATH, "utf8");
type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; pattern?: string; enum?: unknown[]; maxItems?: number };
const crd = parse(CRD_TEXT) as {
  spec: {
    group: string;
    versions: { name: string; subresources: unknown; additionalPrinterColumns: { name: string }[]; schema: { openAPIV3Schema: Schema } }[];
  };
};
const version = crd.spec.versions[0];
const spec = version?.schema.openAPIV3Schema.properties?.["spec"];
const rule = spec?.properties?.["rules"]?.items;

function pattern(schema: Schema | undefined): RegExp {
  if (schema?.pattern === undefined) throw new Error("no pattern");
  return new RegExp(schema.pattern, "u");
}

const copiesOf = (dir: string): string[] => crdCopies(dir, "accesspolicies.modelgate.io.yaml", CRD_PATH);

describe("the AccessPolicy CRD", () => {
  it("is modelgate.io/v1alpha1 with the status subresource and the printer columns", () => {
    expect(crd.spec.group).toBe("modelgate.io");
    expect(version?.name).toBe("v1alpha1");
    expect(version?.subresources).toEqual({ status: {} });
    expect(version?.additionalPrinterColumns.map((c) => c.name)).toEqual(["Models", "Rules", "Accepted", "Ready", "Age"]);
  });

  it("caps every list where the validator does, at the same size", () => {
    const subject = rule?.properties?.["subjects"]?.items;
    expect({
      models: spec?.properties?.["models"]?.maxItems,
      routes: spec?.properties?.["routes"]?.maxItems,
      rules: spec?.properties?.["rules"]?.maxItems,
      subjects: rule?.properties?.["subjects"]?.maxItems,
      groups: subject?.properties?.["groups"]?.maxItems,
      actions: rule?.properties?.["actions"]?.maxItems,
      limits: spec?.properties?.["limits"]?.maxItems,
    }).toEqual(MAX_ITEMS);
    expect(rule?.properties?.["limits"]?.maxItems).toBe(MAX_ITEMS.limits);
  });

  it("has no copy that differs from deploy/crds (a chart's crds/ must be a byte-identical copy)", () => {
    for (const copy of copiesOf(join(ROOT, "charts")).concat(copiesOf(join(ROOT, "deploy")))) {
      expect(readFileSync(copy, "utf8"), `${relative(ROOT, copy)} differs from deploy/crds`).toBe(CRD_TEXT);
    }
  });

  it.each([
    "fraud-detector",
    "fraud-*",
    "team/**",
    "**",
    "*",
    "llm/*/v1",
    "meta-llama/Llama-3-8B-Instruct",
    "a*b*c",
    "",
    "a//b",
    "/a",
    "a/",
    "team**",
    "**a",
    "a b",
    "x/**/y",
    "ü",
    "(server)",
    "(server)/a",
    "a/(server)",
    "(Server)",
    "()",
    "(server",
  ])("agrees with the validator on the model glob %j", (glob) => {
    expect(pattern(spec?.properties?.["models"]?.items).test(glob) && glob.length <= 512).toBe(modelGlobProblem(glob) === undefined);
  });

  it.each([
    "spiffe://cluster.local/ns/batch/sa/scorer",
    "spiffe://cluster.local/ns/*/sa/*",
    "spiffe://prod.example/**",
    "cluster.local/ns/x",
    "spiffe://Cluster/x",
    "spiffe://td/",
    "spiffe://td/a//b",
    "spiffe:///x",
  ])("agrees with the validator on the SPIFFE pattern %j", (id) => {
    const subject = rule?.properties?.["subjects"]?.items?.properties?.["spiffe"];
    expect(pattern(subject).test(id)).toBe(spiffePatternProblem(id) === undefined);
  });

  it.each(["predict", "read", "x", "a-b_c", "Predict", "1x", "", "-a", "a".repeat(64)])("agrees on the action name %j", (name) => {
    expect(pattern(rule?.properties?.["actions"]?.items).test(name)).toBe(ACTION_NAME.test(name) || name === "*");
  });

  it.each(["predict", "a-b", "a", "A", "-a", "a-", "a_b", "a".repeat(64)])("agrees on the rule name %j", (name) => {
    const schema = rule?.properties?.["name"];
    expect(pattern(schema).test(name) && name.length <= 63).toBe(RULE_NAME.test(name));
  });

  it.each(["1s", "500ms", "1h30m", "1d", "30d", "1.5s", "1 s", "s", "-1s", "0s", "90d"])(
    "says of the period %j what the validator says, or leaves it to modelgate",
    (per) => {
      const limit = rule?.properties?.["limits"]?.items;
      const schemaOk = pattern(limit?.properties?.["per"]).test(per) && !/^(0+(ms|s|m|h|d))+$/.test(per);
      // The schema cannot compute the 30 d maximum: it may accept more, never less.
      if (parseDuration(per).ok) expect(schemaOk).toBe(true);
      else if (per !== "90d") expect(schemaOk).toBe(false);
    },
  );

  it("offers spec.anomaly for exactly the detector's rules, each with exactly its responses", () => {
    const anomaly = spec?.properties?.["anomaly"];
    expect(anomaly?.type).toBe("object");
    expect(Object.keys(anomaly?.properties ?? {})).toEqual([...ANOMALY_RULES]);
    for (const rule of ANOMALY_RULES) expect(anomaly?.properties?.[rule]).toEqual({ type: "string", enum: [...ANOMALY_ACTIONS] });
  });
});
