import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { applyApiKey } from "../adapters/k8s/apply-api-key.ts";
import { apiKeyManifest } from "../adapters/k8s/api-key-resource.ts";
import { appendKeyRecord } from "../adapters/keys/append-key-record.ts";
import type { ApiKeyRecord } from "../core/identity/api-key-record.ts";
import type { AttributeValue } from "../core/identity/identity.ts";
import { mintApiKey } from "../core/identity/api-key-format.ts";
import { recordForKey, toStoredRecord } from "../core/identity/api-key-record.ts";
import type { NewKeyFields } from "../core/identity/api-key-record.ts";
import { parseExpiry } from "../core/identity/key-expiry.ts";
import { err, ok } from "../core/result.ts";
import type { Result } from "../core/result.ts";

export interface KeysCreateIo {
  stdout(s: string): void;
  stderr(s: string): void;
  now(): number;
  randomBytes(n: number): Uint8Array; // a CSPRNG: node:crypto randomBytes
  // Creates the ApiKey in the cluster (--apply); defaults to the kubeconfig-based applyApiKey.
  applyApiKey?(manifest: Record<string, unknown>, namespace: string, kubeconfig: string | undefined): Promise<Result<string, string>>;
  // Adds the record to a key file (--append); defaults to the validating, atomic appendKeyRecord.
  appendRecord?(file: string, record: Record<string, unknown>): Promise<Result<string, string>>;
}

export const KEYS_CREATE_USAGE = `Usage: modelgate keys create --subject S [options]

Mints an API key, prints it once, and prints the record to paste at the end of the \`keys:\`
list in a key file (indented as in deploy/examples/keys.yaml), or appends it with --append.
Only the record (with the key's SHA-256 digest) is stored; the key itself cannot be recovered.

  --subject S        owner of the key, e.g. alice@example.com or svc-scorer (required)
  --org O            attribute org
  --team T           attribute team
  --tier T           attribute tier
  --role R           attribute roles (repeatable; always a list)
  --attr K=V         any other attribute (repeatable; a repeated K makes a list)
  --group G          group membership (repeatable)
  --expires E        lifetime (90m, 12h, 30d, 8w), RFC 3339 date-time, or date (00:00 UTC)
  --description D    free text kept in the record
  --format F         yaml (default: key, then the record as a YAML list item) or
                     json (one object {"key": ..., "record": {...}} for scripts)
  --append FILE      add the record to the key file FILE (created when missing) instead of
                     printing it: the file must be valid, the result is checked with the
                     server's parser (duplicate ids too) and replaces FILE in one rename
  --namespace N      print a Kubernetes ApiKey (modelgate.io/v1alpha1) for namespace N
                     instead of the record; json adds it as "apiKey"
  --apply            with --namespace: create that ApiKey in the cluster (current kubeconfig
                     context) instead of printing it; the key is still printed once
  --kubeconfig F     with --apply: use this kubeconfig file
  -h, --help         show this help
`;

const OPTIONS = {
  subject: { type: "string" },
  org: { type: "string", multiple: true },
  team: { type: "string", multiple: true },
  tier: { type: "string", multiple: true },
  role: { type: "string", multiple: true },
  attr: { type: "string", multiple: true },
  group: { type: "string", multiple: true },
  expires: { type: "string" },
  description: { type: "string" },
  format: { type: "string", default: "yaml" },
  namespace: { type: "string" },
  append: { type: "string" },
  apply: { type: "boolean" },
  kubeconfig: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Flags = ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true }>>["values"];

const NAMED_ATTRIBUTES = ["org", "team", "tier"] as const;
const USAGE_ERROR = 2;

const NAMESPACE = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

// A number, or a promise of one with --apply (the only path that does I/O).
export function runKeysCreate(args: readonly string[], io: KeysCreateIo): number | Promise<number> {
  const flags = parseFlags(args);
  if (!flags.ok) return usageError(io, flags.error);
  if (flags.value.help === true) {
    io.stdout(KEYS_CREATE_USAGE);
    return 0;
  }
  const format = flags.value.format;
  if (format !== "yaml" && format !== "json") return usageError(io, `--format must be yaml or json, not "${format}"`);
  const namespace = flags.value.namespace;
  if (namespace !== undefined && !NAMESPACE.test(namespace)) return usageError(io, `--namespace "${namespace}" is not a namespace name`);
  if (namespace === undefined && (flags.value.apply === true || flags.value.kubeconfig !== undefined)) {
    return usageError(io, "--apply and --kubeconfig need --namespace");
  }
  if (namespace !== undefined && flags.value.append !== undefined)
    return usageError(io, "--append writes a key file; it cannot be combined with --namespace");
  const now = io.now();
  const fields = fieldsFrom(flags.value, now);
  if (!fields.ok) return usageError(io, fields.error);
  const { key } = mintApiKey((n) => io.randomBytes(n));
  const record = recordForKey(key, fields.value, now);
  if (!record.ok) return usageError(io, record.error.map((i) => `${i.path}: ${i.message}`).join("\n"));
  const stored = toStoredRecord(record.value);
  if (namespace !== undefined) return clusterOutput(io, { key, record: record.value, stored, namespace, format, flags: flags.value });
  if (flags.value.append !== undefined) return appendOutput(io, { key, stored, file: flags.value.append, format });
  io.stdout(format === "json" ? `${JSON.stringify({ key, record: stored })}\n` : yamlOutput(key, stored));
  return 0;
}

interface ClusterOutput {
  readonly key: string;
  readonly record: ApiKeyRecord;
  readonly stored: Record<string, unknown>;
  readonly namespace: string;
  readonly format: "yaml" | "json";
  readonly flags: Flags;
}

function clusterOutput(io: KeysCreateIo, out: ClusterOutput): number | Promise<number> {
  const manifest = apiKeyManifest(out.record, out.namespace);
  if (out.flags.apply !== true) {
    io.stdout(
      out.format === "json"
        ? `${JSON.stringify({ key: out.key, record: out.stored, apiKey: manifest })}\n`
        : [
            "# API key (shown once, store it now):",
            out.key,
            "# ApiKey; apply it with kubectl apply -f - (or use --apply):",
            `---\n${stringify(manifest, { version: "1.1" })}`,
          ].join("\n"),
    );
    return 0;
  }
  const apply = io.applyApiKey ?? applyApiKey;
  return apply(manifest, out.namespace, out.flags.kubeconfig).then((applied) => {
    if (!applied.ok) {
      io.stderr(
        `modelgate keys create: could not create the ApiKey: ${applied.error}\nThe key was not stored anywhere; nothing to clean up.\n`,
      );
      return 1;
    }
    io.stdout(
      out.format === "json"
        ? `${JSON.stringify({ key: out.key, record: out.stored, applied: applied.value })}\n`
        : `# API key (shown once, store it now):\n${out.key}\n# ${applied.value}\n`,
    );
    return 0;
  });
}

interface AppendOutput {
  readonly key: string;
  readonly stored: Record<string, unknown>;
  readonly file: string;
  readonly format: "yaml" | "json";
}

function appendOutput(io: KeysCreateIo, out: AppendOutput): Promise<number> {
  const append = io.appendRecord ?? appendKeyRecord;
  return append(out.file, out.stored).then((appended) => {
    if (!appended.ok) {
      io.stderr(`modelgate keys create: ${appended.error}\nThe key was not stored anywhere; nothing to clean up.\n`);
      return 1;
    }
    const id = String(out.stored["id"]);
    io.stdout(
      out.format === "json"
        ? `${JSON.stringify({ key: out.key, record: out.stored, appended: appended.value })}\n`
        : `# API key (shown once, store it now):\n${out.key}\n# record ${id} appended to ${appended.value}\n`,
    );
    return 0;
  });
}

function parseFlags(args: readonly string[]): Result<Flags, string> {
  try {
    return ok(parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: false }).values);
  } catch (error: unknown) {
    // parseArgs reports unknown flags and missing values by throwing; this is the CLI boundary.
    return err(error instanceof Error ? error.message : String(error));
  }
}

function fieldsFrom(flags: Flags, now: number): Result<NewKeyFields, string> {
  if (flags.subject === undefined) return err("--subject is required");
  const attributes = attributesFrom(flags);
  if (!attributes.ok) return attributes;
  const expiresAt = flags.expires === undefined ? undefined : parseExpiry(flags.expires, now);
  if (expiresAt !== undefined && !expiresAt.ok) return expiresAt;
  return ok({
    subject: flags.subject,
    attributes: attributes.value,
    ...(flags.group === undefined ? {} : { groups: flags.group }),
    ...(expiresAt === undefined ? {} : { expiresAt: expiresAt.value }),
    ...(flags.description === undefined ? {} : { description: flags.description }),
  });
}

function attributesFrom(flags: Flags): Result<Record<string, AttributeValue>, string> {
  const out: Record<string, AttributeValue> = {};
  for (const name of NAMED_ATTRIBUTES) {
    const values = flags[name] ?? [];
    if (values.length > 1) return err(`--${name} was given more than once`);
    if (values[0] !== undefined) out[name] = values[0];
  }
  if (flags.role !== undefined) out["roles"] = flags.role;
  for (const pair of flags.attr ?? []) {
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq);
    if (eq <= 0) return err(`--attr "${pair}" must be NAME=VALUE`);
    if (name === "roles" || (NAMED_ATTRIBUTES as readonly string[]).includes(name)) {
      return err(`--attr ${name}=… is not allowed; use --${name === "roles" ? "role" : name}`);
    }
    const previous = out[name];
    const value = pair.slice(eq + 1);
    out[name] = previous === undefined ? value : [...(typeof previous === "string" ? [previous] : previous), value];
  }
  return ok(out);
}

// Version 1.1 output quotes values that older YAML readers would turn into booleans or dates.
// The list item is indented two spaces, as in deploy/examples/keys.yaml, so it pastes at the end
// of such a `keys:` list as printed (a column-0 item there would end the list: a YAML error).
function yamlOutput(key: string, record: Record<string, unknown>): string {
  const item = stringify([record], { version: "1.1" }).replace(/^(?=.)/gm, "  ");
  return [
    "# API key (shown once, store it now):",
    key,
    "# Key record; paste it at the end of the `keys:` list in the key file (or use --append FILE):",
    item,
  ].join("\n");
}

function usageError(io: KeysCreateIo, message: string): number {
  io.stderr(`modelgate keys create: ${message}\nTry: modelgate keys create --help\n`);
  return USAGE_ERROR;
}
