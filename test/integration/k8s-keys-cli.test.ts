import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interpretApiKey } from "../../src/adapters/k8s/api-key-resource.ts";
import { createKubeHttp } from "../../src/adapters/k8s/kube-http.ts";
import type { ApiKeySource } from "../../src/core/kubernetes-config.ts";
import { runKeysCreate } from "../../src/cli/keys-create-command.ts";
import { runKeysMigrate } from "../../src/cli/keys-migrate-command.ts";
import { buildKeyIndex, verifyApiKey, type KeyIndex } from "../../src/core/identity/key-store.ts";
import type { KubeHarness } from "../harness/kube-harness.ts";
import { APIKEYS, NS, SECRETS, eventually, expectStatus, keyWatchOf, newKeySecret, startCluster, upsert } from "./helpers/k8s-cluster.ts";

// `modelgate keys create --namespace N --apply` and `modelgate keys migrate` against a real API
// server (with the ApiKey CRD) and a kubeconfig file.

let harness: KubeHarness;
beforeAll(async () => {
  harness = await startCluster();
}, 120_000);
afterAll(async () => harness?.stop());

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) }, out, err };
}

async function create(args: string[]) {
  const { io, out, err } = capture();
  const code = await runKeysCreate(args, { ...io, now: Date.now, randomBytes: (n) => new Uint8Array(randomBytes(n)) });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

async function migrate(args: string[]) {
  const { io, out, err } = capture();
  const code = await runKeysMigrate([...args, "--kubeconfig", harness.kubeconfigFile], io);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

async function apiKeyNamed(name: string, collection = APIKEYS) {
  const got = await harness.request("GET", `${collection}/${name}`);
  return { status: got.status, body: got.body as { spec: Record<string, unknown> } };
}

describe("keys create --apply", () => {
  it("creates the ApiKey, and the key verifies against what the cluster stores", async () => {
    const result = await create([
      "--subject",
      "svc-batch",
      "--team",
      "fraud",
      "--namespace",
      NS,
      "--apply",
      "--kubeconfig",
      harness.kubeconfigFile,
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const key = result.stdout.split("\n")[1] ?? "";
    const name = `mgk-${key.slice(4, 16)}`;
    expect(result.stdout).toContain(`# apikey/${name} created in namespace ${NS}`);
    const stored = await apiKeyNamed(name);
    expect(stored.status).toBe(200);
    const record = interpretApiKey(stored.body);
    if (record.value === undefined) throw new Error(JSON.stringify(record.issues));
    expect(verifyApiKey(buildKeyIndex([record.value]).index, key, Date.now())).toMatchObject({
      kind: "identified",
      identity: { subject: "svc-batch", attributes: { team: "fraud" } },
    });
    // No Secret is written any more.
    const secrets = await harness.request("GET", `${SECRETS}?labelSelector=modelgate.io/api-key`);
    expect((secrets.body as { items: { metadata: { name: string } }[] }).items.map((s) => s.metadata.name)).not.toContain(name);
  });

  it("reports a readable error when the namespace does not exist", async () => {
    const result = await create(["--subject", "s", "--namespace", "no-such-ns", "--apply", "--kubeconfig", harness.kubeconfigFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/could not create the ApiKey: .*namespaces "no-such-ns" not found/);
  });
});

// Runs the sidecar's key watch on the legacy namespace until it serves `size` keys.
async function loadedKeys(source: ApiKeySource, size: number): Promise<KeyIndex> {
  const watch = keyWatchOf(createKubeHttp(harness.kubeConfig()), source, "legacy");
  watch.start();
  try {
    return await eventually(() => {
      const index = watch.current();
      if (index?.size !== size) throw new Error(`serving ${index?.size ?? "nothing"}`);
      return index;
    }, 10_000);
  } finally {
    watch.stop();
  }
}

describe("keys migrate", () => {
  const MIGRATE_NS = "legacy";
  const secrets = `/api/v1/namespaces/${MIGRATE_NS}/secrets`;
  const apikeys = `/apis/modelgate.io/v1alpha1/namespaces/${MIGRATE_NS}/apikeys`;
  const inLegacy = (made: ReturnType<typeof newKeySecret>) => ({
    ...made.secret,
    metadata: { ...made.secret.metadata, namespace: MIGRATE_NS },
  });
  const alice = newKeySecret("alice@example.com", "fraud");
  const bob = newKeySecret("bob@example.com", "analytics", { attributes: { tier: "gold", team: "analytics" }, groups: ["ml-users"] });
  const gone = newKeySecret("gone@example.com", "fraud", { revoked: true });
  const broken = newKeySecret("broken@example.com", "fraud", { revokd: true });
  const carol = inLegacy(newKeySecret("carol@example.com", "fraud"));
  const oddlyNamed = { ...carol, metadata: { ...carol.metadata, name: "carols-key" } };

  beforeAll(async () => {
    await expectStatus(
      harness.request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: MIGRATE_NS } }),
      201,
    );
    for (const secret of [inLegacy(alice), inLegacy(bob), inLegacy(gone), inLegacy(broken), oddlyNamed])
      await upsert(harness, secrets, secret);
    // A Secret without the label is not a key record and is never touched.
    const metadata = { name: "db-password", namespace: MIGRATE_NS };
    await upsert(harness, secrets, { apiVersion: "v1", kind: "Secret", metadata, stringData: { record: "hunter2" } });
  });

  it("stores nothing with --dry-run, yet has the server check every ApiKey", async () => {
    const result = await migrate(["--namespace", MIGRATE_NS, "--dry-run"]);
    expect(result.stdout).toMatch(/^created +secret\/mgk-[a-z2-7]{12} -> apikey\/mgk-[a-z2-7]{12}: dry run/m);
    expect(result.stdout).toMatch(/# 5 key Secrets in legacy: 4 would be created, 0 unchanged, 0 in conflict, 1 invalid, 0 failed/);
    const listed = await harness.request("GET", apikeys);
    expect((listed.body as { items: unknown[] }).items).toEqual([]);
  });

  it("copies every readable key Secret into an ApiKey, reports the unreadable one, and the keys verify from a watch on ApiKeys", async () => {
    const result = await migrate(["--namespace", MIGRATE_NS]);
    expect(result.code).toBe(1); // one Secret's record does not read
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain(`invalid   secret/mgk-${broken.id}: data.record.revokd: unknown field`);
    expect(result.stdout).toContain(`created   secret/carols-key -> apikey/mgk-`);
    expect(result.stdout).toMatch(/# 5 key Secrets in legacy: 4 created, 0 unchanged, 0 in conflict, 1 invalid, 0 failed/);
    expect((await apiKeyNamed(`mgk-${broken.id}`, apikeys)).status).toBe(404);
    expect((await apiKeyNamed(`mgk-${bob.id}`, apikeys)).body.spec).toMatchObject({
      subject: "bob@example.com",
      attributes: { tier: "gold", team: "analytics" },
      groups: ["ml-users"],
      revoked: false,
    });
    const index = await loadedKeys("apikeys", 4);
    expect(verifyApiKey(index, alice.key, Date.now())).toMatchObject({ kind: "identified", identity: { subject: "alice@example.com" } });
    expect(verifyApiKey(index, bob.key, Date.now())).toMatchObject({ kind: "identified", identity: { groups: ["ml-users"] } });
    expect(verifyApiKey(index, gone.key, Date.now())).toMatchObject({ kind: "rejected", reason: "api_key_revoked" });
  });

  it("runs again safely: matching ApiKeys are unchanged, one edited since (revoked) is reported and never overwritten", async () => {
    const name = `mgk-${alice.id}`;
    const current = await apiKeyNamed(name, apikeys);
    const metadata = { name, namespace: MIGRATE_NS };
    await upsert(harness, apikeys, {
      apiVersion: "modelgate.io/v1alpha1",
      kind: "ApiKey",
      metadata,
      spec: { ...current.body.spec, revoked: true },
    });
    const result = await migrate(["--namespace", MIGRATE_NS]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`conflict  secret/mgk-${alice.id} -> apikey/${name}: the ApiKey differs in revoked; left alone`);
    expect(result.stdout).toMatch(/# 5 key Secrets in legacy: 0 created, 3 unchanged, 1 in conflict, 1 invalid, 0 failed/);
    expect((await apiKeyNamed(name, apikeys)).body.spec["revoked"]).toBe(true);
  });

  it("leaves the Secrets in place: a sidecar still on apiKeySource: secrets keeps reading them", async () => {
    const index = await loadedKeys("secrets", 4);
    expect(verifyApiKey(index, alice.key, Date.now())).toMatchObject({ kind: "identified" });
  });

  it.each([
    [[], /--namespace is required/],
    [["--namespace", "Legacy"], /not a namespace name/],
    [["--namespace", "legacy", "--force"], /Unknown option '--force'/],
  ])("refuses %j with a usage error", async (args, message) => {
    const { io, err } = capture();
    expect(await runKeysMigrate(args, io)).toBe(2);
    expect(err.join("")).toMatch(message);
  });

  it("finds nothing to do in a namespace without key Secrets", async () => {
    const result = await migrate(["--namespace", "no-such-ns"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/# 0 key Secrets in no-such-ns/);
  });
});
