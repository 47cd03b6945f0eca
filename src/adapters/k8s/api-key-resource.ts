import type { ApiKeyRecord } from "../../core/identity/api-key-record.ts";
import { parseApiKeyRecord, toStoredRecord } from "../../core/identity/api-key-record.ts";
import type { Interpretation } from "./last-good-collection.ts";
import type { CollectionPath } from "./list-watch-client.ts";
import { POLICY_API } from "./status-writer.ts";

// An API key in Kubernetes is one ApiKey object (deploy/crds/apikeys.modelgate.io.yaml) whose
// spec is the key record, exactly as a key file entry holds it (api-key-record.ts):
//
//   apiVersion: modelgate.io/v1alpha1
//   kind: ApiKey
//   metadata: { name: mgk-k3v7q2m4x6ab, namespace: ml-prod }
//   spec:
//     id: k3v7q2m4x6ab
//     digest: sha256:…
//     subject: alice@example.com
//     attributes: { team: data_science }
//
// A resource of its own so RBAC can grant reading key records alone (a Role cannot restrict
// Secrets by label), one key per object so `kubectl delete apikey` and audit logs work per key.

export const API_KEY_API_VERSION = "modelgate.io/v1alpha1";
export const API_KEY_KIND = "ApiKey";

export function apiKeyName(id: string): string {
  return `mgk-${id}`;
}

export function apiKeysPath(namespace: string | undefined): string {
  return namespace === undefined ? `${POLICY_API}/apikeys` : `${POLICY_API}/namespaces/${namespace}/apikeys`;
}

export function apiKeyCollection(namespace: string | undefined): CollectionPath {
  return { description: `apikeys in ${namespace ?? "all namespaces"}`, path: apiKeysPath(namespace) };
}

// The spec is parsed by the key record parser itself, so its strictness and messages are those
// of key files; the name must follow the id, as the CRD's rule says, so an object made under an
// older CRD cannot put a second record for one id in a namespace.
export function interpretApiKey(object: unknown): Interpretation<ApiKeyRecord> {
  const { spec, metadata } = object as { spec?: unknown; metadata?: { name?: unknown } };
  const record = parseApiKeyRecord(spec ?? null, "spec");
  if (!record.ok) return { value: undefined, issues: record.error };
  const expected = apiKeyName(record.value.id);
  if (metadata?.name !== expected)
    return { value: undefined, issues: [{ path: "metadata.name", message: `must be ${expected} (mgk-<spec.id>)` }] };
  return { value: record.value, issues: [] };
}

// What `modelgate keys create --namespace N` prints (and creates with --apply).
export function apiKeyManifest(record: ApiKeyRecord, namespace: string): Record<string, unknown> {
  return {
    apiVersion: API_KEY_API_VERSION,
    kind: API_KEY_KIND,
    metadata: { name: apiKeyName(record.id), namespace },
    spec: toStoredRecord(record),
  };
}
