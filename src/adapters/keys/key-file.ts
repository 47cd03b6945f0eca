import { readFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import type { YAMLError } from "yaml";
import { parseApiKeyRecord } from "../../core/identity/api-key-record.ts";
import type { ApiKeyRecord } from "../../core/identity/api-key-record.ts";
import { duplicateIdIssues } from "../../core/identity/key-store.ts";
import { err, ok } from "../../core/result.ts";
import type { Issue, Result } from "../../core/result.ts";
import { isPlainObject, unknownKeyMessage } from "../../core/parse/fields.ts";

// A key file is one YAML (or JSON — YAML 1.2 reads it too) document:
//
//   keys:
//     - id: k3v7q2m4x6ab
//       digest: sha256:…
//       subject: alice@example.com
//       attributes: { team: data_science, tier: gold }
//
// One mapping rather than a multi-document stream, so JSON works and a file can grow other
// top-level fields later without changing how records are read. Validation is all-or-nothing:
// a file with any invalid record is rejected whole and the caller keeps its previous index —
// dropping just the bad record could, for example, lose a `revoked: true` with a typo nearby.

// Counted in UTF-16 units of the decoded text, which for a key file (ASCII in practice) is bytes.
export const MAX_KEY_FILE_BYTES = 16 * 1024 * 1024;
const TOP_LEVEL_FIELDS = ["keys"];
// Key files have no use for aliases; a small cap stops "billion laughs" expansion.
const MAX_ALIAS_COUNT = 100;

export async function loadKeyFile(path: string): Promise<Result<readonly ApiKeyRecord[], Issue[]>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error: unknown) {
    return err([{ path, message: `cannot read the key file: ${describe(error)}` }]);
  }
  return parseKeyFileText(text, path);
}

// Pure apart from the YAML parser; `fileName` only labels issues.
export function parseKeyFileText(text: string, fileName: string): Result<readonly ApiKeyRecord[], Issue[]> {
  if (text.length > MAX_KEY_FILE_BYTES) {
    return err([{ path: fileName, message: `the key file is larger than ${MAX_KEY_FILE_BYTES} bytes` }]);
  }
  const parsed = parseYaml(text, fileName);
  return parsed.ok ? readKeyFile(parsed.value, fileName) : parsed;
}

function parseYaml(text: string, fileName: string): Result<unknown, Issue[]> {
  const doc = parseDocument(text, { uniqueKeys: true, strict: true, resolveKnownTags: false, version: "1.2" });
  const problems = [...doc.errors, ...doc.warnings].map((e) => yamlIssue(e, fileName));
  if (problems.length > 0) return err(problems);
  try {
    return ok(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
  } catch (error: unknown) {
    return err([{ path: fileName, message: describe(error) }]);
  }
}

function readKeyFile(document: unknown, fileName: string): Result<readonly ApiKeyRecord[], Issue[]> {
  if (!isPlainObject(document)) {
    return err([{ path: fileName, message: "a key file is a mapping with a `keys:` list (write `keys: []` for none)" }]);
  }
  const fields = document;
  const issues: Issue[] = Object.keys(fields)
    .filter((name) => !TOP_LEVEL_FIELDS.includes(name))
    .map((name) => ({ path: `${fileName}:${name}`, message: unknownKeyMessage(name, TOP_LEVEL_FIELDS) }));
  const list = fields["keys"];
  if (!Array.isArray(list)) {
    return err([...issues, { path: `${fileName}:keys`, message: "must be a list of key records" }]);
  }
  const records: ApiKeyRecord[] = [];
  list.forEach((item: unknown, i) => {
    const record = parseApiKeyRecord(item, `keys[${i}]`);
    if (record.ok) records.push(record.value);
    else issues.push(...record.error.map((issue) => inFile(issue, fileName)));
  });
  if (issues.length === 0) issues.push(...duplicateIdIssues(records).map((issue) => inFile(issue, fileName)));
  return issues.length > 0 ? err(issues) : ok(Object.freeze(records));
}

function yamlIssue(error: YAMLError, fileName: string): Issue {
  const pos = error.linePos?.[0];
  const where = pos === undefined ? fileName : `${fileName}:${pos.line}:${pos.col}`;
  // yaml's messages end with " at line L, column C:" and a source excerpt; the path says where.
  const message =
    error.code === "MULTIPLE_DOCS"
      ? "a key file is one document; put every record under a single `keys:` list"
      : (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
  return { path: where, message: `${error.code}: ${message}` };
}

function inFile(issue: Issue, fileName: string): Issue {
  return { path: `${fileName}:${issue.path}`, message: issue.message };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
