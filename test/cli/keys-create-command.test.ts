import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseKeyFileText } from "../../src/adapters/keys/key-file.ts";
import { parseApiKeyRecord } from "../../src/core/identity/api-key-record.ts";
import { buildKeyIndex, verifyApiKey } from "../../src/core/identity/key-store.ts";
import { KEYS_CREATE_USAGE, runKeysCreate } from "../../src/cli/keys-create-command.ts";
import { T0, seededRandomBytes } from "../core/identity/helpers.ts";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync, statSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadKeyFile } from "../../src/adapters/keys/key-file.ts";

const EXAMPLE_KEYS = join(import.meta.dirname, "..", "..", "deploy", "examples", "keys.yaml");

const DAY = 86_400_000;

function run(args: string[], seed = "cli") {
  const out: string[] = [];
  const err: string[] = [];
  const code = runKeysCreate(args, {
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    now: () => T0,
    randomBytes: seededRandomBytes(seed),
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

// The YAML output: a comment, the key on its own line, a comment, then one list item.
function splitYaml(stdout: string): { key: string; recordYaml: string } {
  const lines = stdout.split("\n");
  expect(lines[0]).toMatch(/^# API key \(shown once/);
  expect(lines[2]).toMatch(/^# Key record/);
  return { key: lines[1] ?? "", recordYaml: lines.slice(3).join("\n") };
}

const FULL = [
  "--subject",
  "alice@example.com",
  "--org",
  "acme",
  "--team",
  "data_science",
  "--tier",
  "gold",
  "--role",
  "reader",
  "--role",
  "predictor",
  "--attr",
  "cost-center=42",
  "--attr",
  "region=eu",
  "--attr",
  "region=us",
  "--group",
  "ml-users",
  "--expires",
  "30d",
  "--description",
  "yes",
];

describe("keys create", () => {
  it("prints a key that verifies against the printed record", () => {
    const result = run(FULL);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const { key, recordYaml } = splitYaml(result.stdout);
    const [raw] = parse(recordYaml) as unknown[];
    const record = parseApiKeyRecord(raw, "record");
    if (!record.ok) throw new Error(JSON.stringify(record.error));
    expect(record.value.expiresAt).toBe(new Date(T0 + 30 * DAY).toISOString());
    expect(record.value.description).toBe("yes");
    expect(recordYaml).not.toContain(key);
    const { index } = buildKeyIndex([record.value]);
    expect(verifyApiKey(index, key, T0)).toMatchObject({
      kind: "identified",
      identity: {
        method: "apikey",
        subject: "alice@example.com",
        keyId: key.slice(4, 16),
        groups: ["ml-users"],
        attributes: {
          org: "acme",
          team: "data_science",
          tier: "gold",
          roles: ["reader", "predictor"],
          "cost-center": "42",
          region: ["eu", "us"],
        },
      },
    });
    expect(verifyApiKey(index, key, T0 + 30 * DAY)).toMatchObject({ reason: "api_key_expired" });
  });

  // Issue 11 item 11: appended as printed to the shipped example, the record must load.
  it("prints a record that pastes at the end of deploy/examples/keys.yaml as printed", () => {
    const { key, recordYaml } = splitYaml(run(FULL).stdout);
    const example = readFileSync(EXAMPLE_KEYS, "utf8");
    const loaded = parseKeyFileText(`${example}${recordYaml}`, "keys.yaml");
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
    expect(loaded.value).toHaveLength(3);
    expect(verifyApiKey(buildKeyIndex(loaded.value).index, key, T0).kind).toBe("identified");
    expect(parseKeyFileText(`keys:\n${recordYaml}`, "keys.yaml").ok).toBe(true);
  });

  it("prints one JSON object with --format json", () => {
    const result = run(["--subject", "svc-scorer", "--role", "admin", "--format", "json"]);
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith("\n") && result.stdout.trim().split("\n")).toHaveLength(1);
    const { key, record } = JSON.parse(result.stdout) as { key: string; record: unknown };
    const parsed = parseApiKeyRecord(record, "record");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    expect(parsed.value).toMatchObject({ subject: "svc-scorer", attributes: { roles: ["admin"] }, expiresAt: undefined });
    expect(verifyApiKey(buildKeyIndex([parsed.value]).index, key, T0).kind).toBe("identified");
  });

  it("mints a different key for different randomness", () => {
    const a = splitYaml(run(["--subject", "s"], "one").stdout).key;
    const b = splitYaml(run(["--subject", "s"], "two").stdout).key;
    expect(a).not.toBe(b);
  });

  it("reads an absolute expiry", () => {
    const result = run(["--subject", "s", "--format", "json", "--expires", "2027-01-31"]);
    expect(JSON.parse(result.stdout)).toMatchObject({ record: { expiresAt: "2027-01-31T00:00:00.000Z" } });
  });

  it("prints help on --help", () => {
    expect(run(["--help"])).toEqual({ code: 0, stdout: KEYS_CREATE_USAGE, stderr: "" });
  });

  it.each<[string, string[], RegExp]>([
    ["a missing subject", [], /--subject is required/],
    ["an unknown flag", ["--subject", "s", "--admin"], /--admin/],
    ["a flag without a value", ["--subject"], /--subject/],
    ["a positional argument", ["--subject", "s", "extra"], /extra/],
    ["an unknown format", ["--subject", "s", "--format", "toml"], /--format must be yaml or json/],
    ["a repeated --org", ["--subject", "s", "--org", "a", "--org", "b"], /--org was given more than once/],
    ["--attr without =", ["--subject", "s", "--attr", "team"], /NAME=VALUE/],
    ["--attr with an empty name", ["--subject", "s", "--attr", "=x"], /NAME=VALUE/],
    ["--attr shadowing --team", ["--subject", "s", "--attr", "team=x"], /use --team/],
    ["--attr setting roles", ["--subject", "s", "--attr", "roles=x"], /use --role/],
    ["an invalid attribute name", ["--subject", "s", "--attr", "Team=x"], /attributes\.Team/],
    ["a subject with a newline", ["--subject", "a\nb"], /subject: must not contain control characters/],
    ["an unreadable expiry", ["--subject", "s", "--expires", "soon"], /--expires "soon" is not a duration/],
    ["an expiry in the past", ["--subject", "s", "--expires", "2020-01-01"], /not in the future/],
  ])("exits 2 for %s", (_name, args, message) => {
    const result = run(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(message);
  });
});

describe("keys create --append FILE", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "mg-keys-append-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function append(file: string, seed = "append", format = "yaml") {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runKeysCreate(["--subject", "eve@example.com", "--team", "data_science", "--append", file, "--format", format], {
      stdout: (s) => void out.push(s),
      stderr: (s) => void err.push(s),
      now: () => T0,
      randomBytes: seededRandomBytes(seed),
    });
    return { code, stdout: out.join(""), stderr: err.join("") };
  }

  it("appends to a copy of deploy/examples/keys.yaml; the server's loader reads all three, comments kept", async () => {
    const file = join(dir, "keys.yaml");
    copyFileSync(EXAMPLE_KEYS, file);
    chmodSync(file, 0o640);
    const result = await append(file);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const key = result.stdout.split("\n")[1] ?? "";
    expect(result.stdout).toContain(`appended to ${file}`);
    const loaded = await loadKeyFile(file);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
    expect(loaded.value.map((r) => r.subject)).toEqual(["dana@example.com", "ari@example.com", "eve@example.com"]);
    expect(verifyApiKey(buildKeyIndex(loaded.value).index, key, T0)).toMatchObject({
      kind: "identified",
      identity: { subject: "eve@example.com" },
    });
    const text = readFileSync(file, "utf8");
    expect(text).toContain("# Only digests are stored.");
    expect(text).not.toContain(key);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(["keys.yaml"]);
  });

  it("creates a missing file and grows `keys: []`", async () => {
    const missing = join(dir, "new.yaml");
    expect((await append(missing, "a")).code).toBe(0);
    const empty = join(dir, "empty.yaml");
    writeFileSync(empty, "keys: []\n");
    expect((await append(empty, "b", "json")).code).toBe(0);
    for (const file of [missing, empty]) {
      const loaded = await loadKeyFile(file);
      expect(loaded.ok && loaded.value.length).toBe(1);
    }
  });

  it.each<[string, string, RegExp]>([
    ["an invalid file", "keys:\n  - id: nope\n", /left unchanged: .*keys\[0\]/],
    ["not a key file", "- a\n", /left unchanged: .*mapping with a `keys:` list/],
  ])("leaves %s unchanged and exits 1", async (_name, text, message) => {
    const file = join(dir, "keys.yaml");
    writeFileSync(file, text);
    const result = await append(file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe("");
    expect(readFileSync(file, "utf8")).toBe(text);
    expect(readdirSync(dir)).toEqual(["keys.yaml"]);
  });

  it("refuses a record whose id is already in the file (checked with the server's parser)", async () => {
    const file = join(dir, "keys.yaml");
    expect((await append(file, "same")).code).toBe(0);
    const before = readFileSync(file, "utf8");
    const again = await append(file, "same");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/duplicate key id/);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("cannot be combined with --namespace", () => {
    const result = run(["--subject", "s", "--append", "k.yaml", "--namespace", "ml"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot be combined with --namespace/);
  });
});

describe("keys create --namespace (Kubernetes ApiKey objects)", () => {
  it("prints an ApiKey whose spec the key watch reads and verifies", async () => {
    const { interpretApiKey } = await import("../../src/adapters/k8s/api-key-resource.ts");
    const result = run(["--subject", "svc-scorer", "--team", "fraud", "--namespace", "ml-prod"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const [comment, key, note, ...rest] = String(result.stdout).split("\n");
    expect(comment).toMatch(/^# API key/);
    expect(note).toMatch(/^# ApiKey; apply it with kubectl apply -f -/);
    const apiKey = parse(rest.join("\n").replace(/^---\n/, "")) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace: string };
      spec: Record<string, unknown>;
    };
    expect(apiKey).toMatchObject({
      apiVersion: "modelgate.io/v1alpha1",
      kind: "ApiKey",
      metadata: { name: `mgk-${key?.slice(4, 16)}`, namespace: "ml-prod" },
    });
    expect(apiKey.spec).toMatchObject({ id: key?.slice(4, 16), subject: "svc-scorer", attributes: { team: "fraud" } });
    expect(JSON.stringify(apiKey)).not.toContain(key);
    const seen = interpretApiKey(apiKey);
    if (seen.value === undefined) throw new Error(JSON.stringify(seen.issues));
    expect(verifyApiKey(buildKeyIndex([seen.value]).index, key ?? "", T0)).toMatchObject({
      kind: "identified",
      identity: { subject: "svc-scorer" },
    });
  });

  it("adds the ApiKey to the JSON output as apiKey", () => {
    const result = run(["--subject", "s", "--namespace", "ml-prod", "--format", "json"]);
    const out = JSON.parse(String(result.stdout)) as { key: string; record: { id: string }; apiKey: { kind: string; spec: unknown } };
    expect(out.apiKey).toMatchObject({ kind: "ApiKey", spec: out.record });
  });

  it.each([
    [["--subject", "s", "--namespace", "ML_Prod"], /not a namespace name/],
    [["--subject", "s", "--apply"], /need --namespace/],
  ])("refuses %j", (args, message) => {
    const result = run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("creates the ApiKey with --apply and prints only the key and what was created", async () => {
    const applied: unknown[] = [];
    const code = await runKeysCreate(["--subject", "s", "--namespace", "ml-prod", "--apply"], {
      stdout: (s) => void applied.push(s),
      stderr: () => undefined,
      now: () => T0,
      randomBytes: seededRandomBytes("apply"),
      applyApiKey: async (manifest, namespace) => {
        applied.push(manifest);
        return { ok: true, value: `apikey/x created in namespace ${namespace}` };
      },
    });
    expect(code).toBe(0);
    expect(applied[0]).toMatchObject({ kind: "ApiKey", metadata: { namespace: "ml-prod" } });
    expect(String(applied[1])).toMatch(/^# API key[^\n]*\nmgk_[a-z2-7]{12}_\w+\n# apikey\/x created in namespace ml-prod\n$/);
  });
});
