// `metadata`: the identity of a policy. Only name, namespace and generation matter here; the other
// standard Kubernetes keys are accepted so `kubectl get -o yaml` output loads unchanged.
import type { Issues } from "../parse/fields.ts";
import { integerParser, optionalField, patternParser, readObject, rejectUnknownKeys, requiredField } from "../parse/fields.ts";
import { DNS_LABEL, DNS_LABEL_TEXT, DNS_SUBDOMAIN, DNS_SUBDOMAIN_TEXT } from "../parse/kube-names.ts";

export interface PolicyMetadata {
  readonly name: string;
  readonly namespace: string; // "" when the document names none (file-based policies)
  readonly generation: number; // 0 when the document carries none
}

const METADATA_KEYS = [
  "name",
  "namespace",
  "generation",
  "labels",
  "annotations",
  "uid",
  "resourceVersion",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "generateName",
  "selfLink",
  "finalizers",
  "ownerReferences",
  "managedFields",
] as const;

export function parseMetadata(value: unknown, path: string, issues: Issues): PolicyMetadata | undefined {
  const obj = readObject(value, path, issues);
  if (obj === undefined) return undefined;
  const before = issues.length;
  rejectUnknownKeys(obj, METADATA_KEYS, path, issues);
  const name = requiredField(obj, "name", path, issues, patternParser(DNS_SUBDOMAIN, DNS_SUBDOMAIN_TEXT));
  const namespace = optionalField(obj, "namespace", path, issues, patternParser(DNS_LABEL, DNS_LABEL_TEXT)) ?? "";
  const generation = optionalField(obj, "generation", path, issues, integerParser(0, Number.MAX_SAFE_INTEGER)) ?? 0;
  if (name === undefined || issues.length > before) return undefined;
  return Object.freeze({ name, namespace, generation });
}
