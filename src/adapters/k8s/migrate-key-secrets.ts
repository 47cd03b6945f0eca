import type { JsonValue } from "../../core/audit/canonical-json.ts";
import { canonicalJson } from "../../core/audit/canonical-json.ts";
import type { ApiKeyRecord } from "../../core/identity/api-key-record.ts";
import { toStoredRecord } from "../../core/identity/api-key-record.ts";
import type { Result } from "../../core/result.ts";
import { err, ok } from "../../core/result.ts";
import { apiKeyFailure } from "./apply-api-key.ts";
import { apiKeyManifest, apiKeyName, apiKeysPath, interpretApiKey } from "./api-key-resource.ts";
import { interpretKeySecret } from "./key-secret.ts";
import type { KubeHttp } from "./kube-http.ts";
import { keySecretCollection } from "./kube-collections.ts";
import { httpListWatchClient } from "./list-watch-client.ts";
import { describe } from "./list-watch-loop.ts";

// `modelgate keys migrate --namespace N`: copies every Secret labelled modelgate.io/api-key into
// an ApiKey named mgk-<id>. It only ever creates: an ApiKey that already exists is compared,
// never overwritten, because it may carry a change made after the copy (a revocation above all)
// that an older Secret would undo. So it can be run again at any time, and deleting the Secrets
// is left to the operator once every sidecar reads ApiKeys.

export type MigrationOutcome = "created" | "unchanged" | "conflict" | "invalid" | "failed";

export interface MigrationStep {
  readonly secret: string;
  readonly apiKey: string | undefined; // undefined when the Secret's record does not read
  readonly outcome: MigrationOutcome;
  readonly detail: string;
}

export interface MigrationOptions {
  readonly dryRun: boolean; // the server validates each create (dryRun=All) and stores nothing
  readonly timeoutMs: number;
}

export async function migrateKeySecrets(
  http: KubeHttp,
  namespace: string,
  options: MigrationOptions,
): Promise<Result<MigrationStep[], string>> {
  const secrets = await listAll(http, namespace, options.timeoutMs);
  if (!secrets.ok) return secrets;
  const steps: MigrationStep[] = [];
  for (const secret of secrets.value) steps.push(await migrateOne(http, namespace, secret, options));
  return ok(steps.sort((a, b) => (a.secret < b.secret ? -1 : a.secret > b.secret ? 1 : 0)));
}

async function listAll(http: KubeHttp, namespace: string, timeoutMs: number): Promise<Result<unknown[], string>> {
  const client = httpListWatchClient(http, keySecretCollection(namespace), timeoutMs);
  const items: unknown[] = [];
  let token: string | undefined;
  do {
    const page = await client.list(token);
    if (!page.ok) return err(`listing ${client.description}: ${describe(page.error)}`);
    items.push(...page.value.items);
    token = page.value.continueToken;
  } while (token !== undefined);
  return ok(items);
}

async function migrateOne(http: KubeHttp, namespace: string, secret: unknown, options: MigrationOptions): Promise<MigrationStep> {
  const name = String((secret as { metadata?: { name?: unknown } }).metadata?.name ?? "?");
  const read = interpretKeySecret(secret);
  if (read.value === undefined) {
    return { secret: name, apiKey: undefined, outcome: "invalid", detail: read.issues.map((i) => `${i.path}: ${i.message}`).join("; ") };
  }
  const record = read.value;
  const step = (outcome: MigrationOutcome, detail: string): MigrationStep => ({
    secret: name,
    apiKey: apiKeyName(record.id),
    outcome,
    detail,
  });
  const path = `${apiKeysPath(namespace)}/${apiKeyName(record.id)}`;
  const existing = await http.json("GET", path, undefined, { timeoutMs: options.timeoutMs });
  if (!existing.ok) return step("failed", existing.error.message);
  if (existing.value.status === 200) return compared(existing.value.body, record, step);
  if (existing.value.status !== 404 || !isNotFoundOfThisKey(existing.value.body)) return step("failed", apiKeyFailure(existing.value));
  const query = `fieldValidation=Strict${options.dryRun ? "&dryRun=All" : ""}`;
  const created = await http.json("POST", `${apiKeysPath(namespace)}?${query}`, apiKeyManifest(record, namespace), {
    timeoutMs: options.timeoutMs,
  });
  if (!created.ok) return step("failed", created.error.message);
  if (created.value.status === 409) return step("conflict", "created by someone else meanwhile; run again to compare");
  if (created.value.status !== 201) return step("failed", apiKeyFailure(created.value));
  return step("created", options.dryRun ? "dry run: the server accepted it, nothing was stored" : "");
}

// A 404 for the object (kind apikeys, our name) rather than for the whole resource type.
function isNotFoundOfThisKey(body: unknown): boolean {
  const details = (body as { details?: { kind?: unknown } } | null)?.details;
  return details?.kind === "apikeys";
}

function compared(body: unknown, record: ApiKeyRecord, step: (o: MigrationOutcome, d: string) => MigrationStep): MigrationStep {
  const current = interpretApiKey(body);
  if (current.value === undefined)
    return step(
      "conflict",
      `the existing ApiKey does not read (${current.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}); left alone`,
    );
  const differing = differingFields(toStoredRecord(current.value), toStoredRecord(record));
  if (differing.length === 0) return step("unchanged", "");
  return step(
    "conflict",
    `the ApiKey differs in ${differing.join(", ")}; left alone (edit it with kubectl edit apikey ${apiKeyName(record.id)})`,
  );
}

function differingFields(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  // canonicalJson sorts object keys: the API server returns them sorted, a Secret keeps the author's order.
  return names.filter((n) => canonicalJson((a[n] ?? null) as JsonValue) !== canonicalJson((b[n] ?? null) as JsonValue));
}
