import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKeysCreate } from "../../src/cli/keys-create.ts";
import { interpretKeySecret } from "../../src/adapters/k8s/key-secret.ts";
import { buildKeyIndex, verifyApiKey } from "../../src/core/identity/key-store.ts";
import { randomBytes } from "node:crypto";
import type { KubeHarness } from "../harness/kube-harness.ts";
import { NS, SECRETS, startCluster } from "./helpers/k8s-cluster.ts";

// `modelgate keys create --namespace N --apply` against a real API server and kubeconfig file.

let harness: KubeHarness;
beforeAll(async () => {
  harness = await startCluster();
}, 120_000);
afterAll(async () => harness?.stop());

describe("keys create --apply", () => {
  it("creates the labelled Secret, and the key verifies against what the cluster stores", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runKeysCreate(["--subject", "svc-batch", "--team", "fraud", "--namespace", NS, "--apply", "--kubeconfig", harness.kubeconfigFile], {
      stdout: (s) => void out.push(s),
      stderr: (s) => void err.push(s),
      now: Date.now,
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
    });
    expect(err.join("")).toBe("");
    expect(code).toBe(0);
    const key = out.join("").split("\n")[1] ?? "";
    const name = `mgk-${key.slice(4, 16)}`;
    const listed = await harness.request("GET", `${SECRETS}?labelSelector=modelgate.io/api-key`);
    const items = (listed.body as { items: { metadata: { name: string } }[] }).items;
    const secret = items.find((s) => s.metadata.name === name);
    expect(secret).toBeDefined();
    const record = interpretKeySecret(secret);
    if (record.value === undefined) throw new Error(JSON.stringify(record.issues));
    expect(verifyApiKey(buildKeyIndex([record.value]).index, key, Date.now())).toMatchObject({ kind: "identified", identity: { subject: "svc-batch" } });
  });

  it("reports a readable error when the namespace does not exist", async () => {
    const err: string[] = [];
    const code = await runKeysCreate(["--subject", "s", "--namespace", "no-such-ns", "--apply", "--kubeconfig", harness.kubeconfigFile], {
      stdout: () => undefined,
      stderr: (s) => void err.push(s),
      now: Date.now,
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
    });
    expect(code).toBe(1);
    expect(err.join("")).toMatch(/namespaces "no-such-ns" not found/);
  });
});
