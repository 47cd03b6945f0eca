import { parseDocument } from "yaml";
import type { ApiKeyRecord } from "../../core/identity/api-key-record.ts";
import { parseApiKeyRecord } from "../../core/identity/api-key-record.ts";
import type { Interpretation } from "./last-good-collection.ts";

// The earlier home of API keys in Kubernetes, read by `kubernetes.apiKeySource: secrets` and by
// `modelgate keys migrate` (which copies them into ApiKey objects, api-key-resource.ts). Reading
// them needs read access to every Secret of the namespace, since RBAC cannot restrict by label.
//
// One Secret holds one record (the same contract as a key file entry: api-key-record.ts) as YAML
// or JSON under `data.record`:
//
//   apiVersion: v1
//   kind: Secret
//   metadata:
//     name: mgk-k3v7q2m4x6ab
//     labels: { modelgate.io/api-key: "true", modelgate.io/key-id: k3v7q2m4x6ab }
//   type: Opaque
//   stringData:
//     record: |
//       id: k3v7q2m4x6ab
//       digest: sha256:…
//       subject: alice@example.com
//       attributes: { team: data_science }
//
// A whole record rather than one key per field, so the parser, its strictness and its messages
// are exactly those of key files. Only the digest is stored; the key itself is never in the cluster.

export const API_KEY_LABEL = "modelgate.io/api-key";
export const RECORD_FIELD = "record";
const MAX_RECORD_BYTES = 64 * 1024;

export function interpretKeySecret(object: unknown): Interpretation<ApiKeyRecord> {
  const data = (object as { data?: unknown }).data;
  const encoded = typeof data === "object" && data !== null ? (data as Record<string, unknown>)[RECORD_FIELD] : undefined;
  if (typeof encoded !== "string") return problem(`data.${RECORD_FIELD}`, "is required: the key record as YAML or JSON");
  const text = Buffer.from(encoded, "base64").toString("utf8");
  if (text.length > MAX_RECORD_BYTES) return problem(`data.${RECORD_FIELD}`, `is larger than ${MAX_RECORD_BYTES} bytes`);
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) return problem(`data.${RECORD_FIELD}`, `is not valid YAML: ${doc.errors[0]?.message ?? ""}`);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 0 });
  } catch (error) {
    return problem(`data.${RECORD_FIELD}`, error instanceof Error ? error.message : String(error));
  }
  const record = parseApiKeyRecord(raw, `data.${RECORD_FIELD}`);
  return record.ok ? { value: record.value, issues: [] } : { value: undefined, issues: record.error };
}

function problem(path: string, message: string): Interpretation<ApiKeyRecord> {
  return { value: undefined, issues: [{ path, message }] };
}
