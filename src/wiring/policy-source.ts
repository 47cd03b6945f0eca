import type { AccessPolicy } from "../core/policy/access-policy.ts";
import { warningText } from "../core/policy/broad-grants.ts";
import { compilePolicies } from "../core/policy/compile.ts";
import { parsePolicyYaml } from "../core/policy/load-yaml.ts";
import type { PolicyIndex } from "../core/policy/types.ts";
import { err, ok, type Issue, type Result } from "../core/result.ts";
import type { SourceText } from "../adapters/files/file-backed-store.ts";

// Policy files → one compiled index. Any invalid document rejects the whole load, so the
// previous index keeps serving (files have no per-resource history; the CRD watch will).

export interface PolicyLoad {
  readonly index: PolicyIndex;
  readonly ignored: readonly string[]; // policies outside the sidecar's namespace
  readonly warnings: readonly string[]; // valid but risky rules, "namespace/name rule: message"
}

// A file policy that names no namespace (the parser leaves it "") belongs to the server's, and
// says so in every PolicyRef (audit records, limit keys), like one applied with kubectl.
function withNamespace(policy: AccessPolicy, namespace: string): AccessPolicy {
  if (policy.metadata.namespace !== "") return policy;
  return Object.freeze({ ...policy, metadata: Object.freeze({ ...policy.metadata, namespace }) });
}

export function buildPolicyIndex(sources: readonly SourceText[], namespace: string): Result<PolicyLoad, readonly Issue[]> {
  const policies: AccessPolicy[] = [];
  const issues: Issue[] = [];
  for (const source of sources) {
    const parsed = parsePolicyYaml(source.text, source.name);
    policies.push(...parsed.policies);
    issues.push(...parsed.issues);
  }
  if (issues.length > 0) return err(issues);
  const placed = policies.map((p) => withNamespace(p, namespace));
  const selected = placed.filter((p) => p.metadata.namespace === namespace);
  const ignored = placed.filter((p) => p.metadata.namespace !== namespace).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
  const compiled = compilePolicies(selected);
  const compileIssues = compiled.issues.flatMap((entry) =>
    entry.issues.map((i) => ({ path: `${entry.policy}: ${i.path}`, message: i.message })),
  );
  if (compileIssues.length > 0) return err(compileIssues);
  const warnings = compiled.warnings.map(warningText);
  return ok({ index: compiled.index, ignored, warnings });
}
