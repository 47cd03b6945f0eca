// Reads a multi-document YAML text (a policy file, `kubectl get -o yaml` output, a ConfigMap
// value) into AccessPolicies. Pure: the caller reads the file. Issues are located as
// `<sourceName>#<docIndex>` (0-based, counting empty documents) followed by `:` and the field path.
import { LineCounter, parseAllDocuments } from "yaml";
import type { Issue } from "../result.ts";
import type { AccessPolicy } from "./access-policy.ts";
import { parseAccessPolicy } from "./access-policy.ts";

export interface ParsedPolicyFile {
  readonly policies: AccessPolicy[];
  readonly issues: Issue[];
}

// Enough for sharing a subject list between a few rules; far too few for an alias bomb.
const MAX_ALIAS_COUNT = 50;

type YamlDocument = ReturnType<typeof parseAllDocuments>[number];

export function parsePolicyYaml(text: string, sourceName: string): ParsedPolicyFile {
  const policies: AccessPolicy[] = [];
  const issues: Issue[] = [];
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, merge: false });
  documents.forEach((document, i) => {
    const where = `${sourceName}#${i}`;
    const value = documentValue(document, lines, where, issues);
    if (value === undefined || value === null) return;
    const parsed = parseAccessPolicy(value);
    if (parsed.ok) policies.push(parsed.value);
    else issues.push(...parsed.error.map((issue) => ({ path: issue.path === "" ? where : `${where}:${issue.path}`, message: issue.message })));
  });
  return { policies, issues };
}

// Returns undefined when the document had YAML-level problems (already recorded).
function documentValue(document: YamlDocument, lines: LineCounter, where: string, issues: Issue[]): unknown {
  const problems = [...document.errors, ...document.warnings];
  for (const problem of problems) {
    const { line, col } = lines.linePos(problem.pos[0]);
    issues.push({ path: where, message: `YAML error at line ${line}, column ${col}: ${problem.message}` });
  }
  if (problems.length > 0) return undefined;
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e: unknown) {
    // yaml throws (ReferenceError) when aliases expand beyond maxAliasCount.
    issues.push({ path: where, message: `YAML rejected: ${e instanceof Error ? e.message : String(e)}` });
    return undefined;
  }
}
