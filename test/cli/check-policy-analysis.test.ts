import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCheck } from "../../src/cli/check-command.ts";

// `modelgate check` against the example (server-wide routes opened through "(server)" only) and
// its warnings about broad grants, printed on stderr so the decision on stdout stays parseable.

const REPO = resolve(import.meta.dirname, "../..");
const EXAMPLE = "deploy/examples/modelgate.yaml";
const ANALYST_KEY = readFileSync(join(REPO, "deploy/examples/try-key-analyst.txt"), "utf8").trim();

async function check(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCheck(args, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: {}, cwd: REPO });
  return { code, stdout, stderr };
}

const scratch = mkdtempSync(join(tmpdir(), "modelgate-check-analysis-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the example policies govern server-wide routes alone", () => {
  it.each<[string, string[], boolean]>([
    ["anyone checks server health", ["--path", "/v2/health/ready"], true],
    ["an anonymous caller cannot probe whether another model exists", ["--path", "/v2/models/other/ready"], false],
    ["the analyst cannot read another model's config", ["--path", "/v2/models/other/config", "--api-key", ANALYST_KEY], false],
    ["the analyst cannot read another model's statistics", ["--path", "/v2/models/other/stats", "--api-key", ANALYST_KEY], false],
    ["key holders read server metadata", ["--path", "/v2", "--api-key", ANALYST_KEY], true],
    ["server metadata is not every model's statistics", ["--path", "/v2/models/stats", "--api-key", ANALYST_KEY], false],
    ["the analyst reads the example model's metadata", ["--path", "/v2/models/fraud-detector", "--api-key", ANALYST_KEY], true],
  ])("%s", async (_, args, allowed) => {
    const run = await check(["-c", EXAMPLE, "--json", ...args]);
    expect(run.stderr).toBe("");
    expect((JSON.parse(run.stdout) as { allowed: boolean }).allowed).toBe(allowed);
    expect(run.code).toBe(allowed ? 0 : 1);
  });
});

describe("modelgate check warns about broad grants", () => {
  it("names the policy, the rule and what it opens to whom, and still decides", async () => {
    writeFileSync(
      join(scratch, "policies.yaml"),
      `apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: server-endpoints }
spec:
  models: ["**"]
  rules:
    - { name: anyone-checks-health, effect: Allow, subjects: [{}], actions: [health] }
`,
    );
    writeFileSync(join(scratch, "modelgate.yaml"), "protocol: open-inference-v2\npolicies: { files: [policies.yaml] }\n");
    const run = await check(["-c", join(scratch, "modelgate.yaml"), "--json", "--path", "/v2/models/anything/ready"]);
    expect(run.stderr).toBe(
      'modelgate check: warning: default/server-endpoints rule anyone-checks-health: grants health on every model (models: "**") to everyone, anonymous callers included; name the models it is meant for, and use "(server)" for the routes that name no model\n',
    );
    expect(JSON.parse(run.stdout)).toMatchObject({ allowed: true });
  });
});
