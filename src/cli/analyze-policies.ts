import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { NO_POLICY_RESPONSES, type PolicyResponses } from "../core/anomaly/policy-responses.ts";
import type { AccessPolicy } from "../core/policy/access-policy.ts";
import { compilePolicies } from "../core/policy/compile.ts";
import { parsePolicyYaml } from "../core/policy/load-yaml.ts";
import { err, ok, type Issue, type Result } from "../core/result.ts";

// `audit analyze --policies FILE|DIR`: the spec.anomaly choices of AccessPolicy YAML, so the
// offline report names the response the server would have chosen. Like the server's policy
// files, every document must be valid and compile: a policy left out would silently fall back
// to the rule's response.

const POLICY_FILE = /\.ya?ml$/;

export async function loadPolicyResponses(paths: readonly string[], cwd: string): Promise<Result<PolicyResponses, string>> {
  if (paths.length === 0) return ok(NO_POLICY_RESPONSES);
  const files = await policyFiles(paths, cwd);
  if (!files.ok) return files;
  const policies: AccessPolicy[] = [];
  const issues: Issue[] = [];
  for (const file of files.value) {
    const text = await readText(file, cwd);
    if (!text.ok) return text;
    // Issue paths already name the file and document (policies.yaml#0:spec…).
    const parsed = parsePolicyYaml(text.value, file);
    policies.push(...parsed.policies);
    issues.push(...parsed.issues);
  }
  if (issues.length > 0) return err(issuesText(issues));
  const compiled = compilePolicies(policies);
  const compileIssues = compiled.issues.flatMap((entry) =>
    entry.issues.map((i) => ({ path: `${entry.policy}: ${i.path}`, message: i.message })),
  );
  if (compileIssues.length > 0) return err(issuesText(compileIssues));
  const { index } = compiled;
  return ok((ref) => index.anomalyResponses(ref.namespace, ref.name));
}

// A directory stands for its *.yaml and *.yml files (not its subdirectories), in name order.
async function policyFiles(paths: readonly string[], cwd: string): Promise<Result<string[], string>> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await settle(path, stat(resolve(cwd, path)));
    if (!info.ok) return info;
    if (!info.value.isDirectory()) {
      files.push(path);
      continue;
    }
    const names = await settle(path, readdir(resolve(cwd, path)));
    if (!names.ok) return names;
    const yaml = names.value.filter((n) => POLICY_FILE.test(n)).sort();
    if (yaml.length === 0) return err(`${path}: no .yaml or .yml policy files in this directory`);
    files.push(...yaml.map((n) => join(path, n)));
  }
  return ok(files);
}

function readText(file: string, cwd: string): Promise<Result<string, string>> {
  return settle(file, readFile(resolve(cwd, file), "utf8"));
}

// File system errors are values here: the CLI reports them with the path the user gave.
function settle<T>(path: string, pending: Promise<T>): Promise<Result<T, string>> {
  return pending.then(
    (value) => ok(value),
    (e: unknown) => err(`${path}: ${e instanceof Error ? e.message : String(e)}`),
  );
}

function issuesText(issues: readonly Issue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join("\n  ");
}
