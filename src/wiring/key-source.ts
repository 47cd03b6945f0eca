import type { ApiKeyRecord } from "../core/identity/api-key-record.ts";
import { buildKeyIndex, type KeyIndex } from "../core/identity/key-store.ts";
import { err, ok, type Issue, type Result } from "../core/result.ts";
import { parseKeyFileText } from "../adapters/keys/key-file.ts";
import type { SourceText } from "../adapters/files/file-backed-store.ts";

// Key files → one index. Duplicate ids across files reject the load like any invalid record.
export function buildKeyIndexFromFiles(sources: readonly SourceText[]): Result<KeyIndex, readonly Issue[]> {
  const records: ApiKeyRecord[] = [];
  const issues: Issue[] = [];
  for (const source of sources) {
    const parsed = parseKeyFileText(source.text, source.name);
    if (parsed.ok) records.push(...parsed.value);
    else issues.push(...parsed.error);
  }
  if (issues.length > 0) return err(issues);
  const built = buildKeyIndex(records);
  return built.issues.length > 0 ? err(built.issues) : ok(built.index);
}
