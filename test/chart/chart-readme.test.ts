import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CHART } from "./deploy-tools.ts";
import { readmeWithTable, valueRows, valuesTable } from "./values-doc.ts";

// The chart README's values table is what values.yaml says, and covers every value.

const valuesYaml = readFileSync(join(CHART, "values.yaml"), "utf8");
const readme = readFileSync(join(CHART, "README.md"), "utf8");

function leafPaths(value: unknown, prefix: string, rows: ReadonlySet<string>): string[] {
  if (rows.has(prefix)) return [prefix];
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix === "" ? k : `${prefix}.${k}`, rows));
  }
  return [prefix];
}

describe("charts/modelgate/README.md", () => {
  it("holds the values table generated from values.yaml (regenerate: node test/chart/values-doc.ts --write)", () => {
    expect(readme).toBe(readmeWithTable(readme, valuesTable(valueRows(valuesYaml))));
  });

  it("documents every value of values.yaml, and every documented value exists in values.schema.json", () => {
    const rows = new Set(valueRows(valuesYaml).map((r) => r.path));
    const leaves = leafPaths(parseYaml(valuesYaml), "", rows);
    for (const leaf of leaves) expect(rows, leaf).toContain(leaf);
    const schema = JSON.parse(readFileSync(join(CHART, "values.schema.json"), "utf8")) as { properties: Record<string, unknown> };
    for (const path of rows) {
      let node: { properties?: Record<string, unknown> } | undefined = schema;
      for (const part of path.split(".")) node = node?.properties?.[part] as typeof node;
      expect(node, `values.schema.json has no ${path}`).toBeDefined();
    }
  });

  it("refuses a value without a description", () => {
    expect(() => valueRows("webhook:\n  replicas: 2\n")).toThrow(/webhook.replicas has no "# --" description/);
  });
});
