import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENV_VARS, renderEnvTable, topLevelOverrides } from "../../src/config/env-vars.ts";

const ROOT = join(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

describe("the MODELGATE_* environment table", () => {
  it("is the README's table, rendered", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const start = readme.indexOf("<!-- env-table:start -->");
    const end = readme.indexOf("<!-- env-table:end -->");
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start, end).replace("<!-- env-table:start -->", "").trim()).toBe(renderEnvTable());
  });

  it("lists every MODELGATE_* name the sources use as a string", () => {
    const used = new Set<string>();
    for (const file of sourceFiles(join(ROOT, "src"))) {
      for (const match of readFileSync(file, "utf8").matchAll(/["'`]\$?(MODELGATE_[A-Z0-9_]+)["'`]/g)) used.add(match[1] ?? "");
    }
    const listed = ENV_VARS.map((v) => v.name);
    expect([...used].filter((name) => !listed.includes(name))).toEqual([]);
    expect(used.size).toBeGreaterThan(5);
  });

  it("names each variable once", () => {
    const names = ENV_VARS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("overrides exactly the top-level keys the README's key table pairs with a variable", () => {
    expect(topLevelOverrides()).toEqual({
      listen: "MODELGATE_LISTEN",
      socket: "MODELGATE_SOCKET",
      metricsListen: "MODELGATE_METRICS_LISTEN",
      model: "MODELGATE_MODEL",
      protocol: "MODELGATE_PROTOCOL",
      environment: "MODELGATE_ENVIRONMENT",
      namespace: "MODELGATE_NAMESPACE",
      logLevel: "MODELGATE_LOG_LEVEL",
      policySource: "MODELGATE_POLICY_SOURCE",
    });
  });
});
