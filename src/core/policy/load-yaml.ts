// Reads a multi-document YAML text (a policy file, `kubectl get -o yaml` output, a ConfigMap
// value) into AccessPolicies. Pure: the caller reads the file. Issues are located as
// `<sourceName>#<docIndex>` (0-based, counting empty documents) followed by `:` and the field path.
//
// A document is one AccessPolicy, a YAML list of them, or a `kind: List` with `items` (what
// `kubectl get accesspolicies -o yaml` prints). A text with no document at all (empty, only
// comments or `---`) is refused: a truncated or half-written file must never silently replace
// every policy with none. Serving nothing on purpose is written `[]` (or `items: []`).
import { LineCounter, parseAllDocuments } from "yaml";
import type { Issue } from "../result.ts";
import type { AccessPolicy } from "./access-policy.ts";
import { parseAccessPolicy } from "./access-policy.ts";
import { isPlainObject } from "../parse/fields.ts";

export interface ParsedPolicyFile {
  readonly policies: AccessPolicy[];
  readonly issues: Issue[];
}

// Enough for sharing a subject list between a few rules; far too few for an alias bomb.
const MAX_ALIAS_COUNT = 50;

export const NO_DOCUMENT_MESSAGE =
  "holds no policy document (empty, or only comments and `---`); to serve no policies on purpose, write `[]`";

type YamlDocument = ReturnType<typeof parseAllDocuments>[number];

export function parsePolicyYaml(text: string, sourceName: string): ParsedPolicyFile {
  const policies: AccessPolicy[] = [];
  const issues: Issue[] = [];
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, merge: false });
  let documentsSeen = 0;
  documents.forEach((document, i) => {
    const where = `${sourceName}#${i}`;
    const value = documentValue(document, lines, where, issues);
    if (value === null) return;
    documentsSeen++;
    if (value === undefined) return;
    for (const [item, itemPath] of policyItems(value)) {
      const parsed = parseAccessPolicy(item);
      if (parsed.ok) policies.push(parsed.value);
      else issues.push(...parsed.error.map((issue) => ({ path: located(where, itemPath, issue.path), message: issue.message })));
    }
  });
  if (documentsSeen === 0) issues.push({ path: sourceName, message: NO_DOCUMENT_MESSAGE });
  return { policies, issues };
}

// The policies one document holds, each with its path inside the document ("" for the document).
function policyItems(value: unknown): [unknown, string][] {
  if (Array.isArray(value)) return value.map((item: unknown, j) => [item, `[${j}]`]);
  if (isPlainObject(value) && value["kind"] === "List" && Array.isArray(value["items"])) {
    return value["items"].map((item: unknown, j) => [item, `items[${j}]`]);
  }
  return [[value, ""]];
}

function located(where: string, itemPath: string, fieldPath: string): string {
  if (itemPath === "") return fieldPath === "" ? where : `${where}:${fieldPath}`;
  return fieldPath === "" ? `${where}:${itemPath}` : `${where}:${itemPath}.${fieldPath}`;
}

// Returns null for an empty document, undefined when it had YAML-level problems (recorded).
function documentValue(document: YamlDocument, lines: LineCounter, where: string, issues: Issue[]): unknown {
  const problems = [...document.errors, ...document.warnings];
  for (const problem of problems) {
    const { line, col } = lines.linePos(problem.pos[0]);
    issues.push({ path: where, message: `YAML error at line ${line}, column ${col}: ${problem.message}` });
  }
  if (problems.length > 0) return undefined;
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? null;
  } catch (e: unknown) {
    // yaml throws (ReferenceError) when aliases expand beyond maxAliasCount.
    issues.push({ path: where, message: `YAML rejected: ${e instanceof Error ? e.message : String(e)}` });
    return undefined;
  }
}
