import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileBackedStore } from "../../../src/adapters/files/file-backed-store.ts";
import { buildCaBundle, loadCaBundle } from "../../../src/adapters/mtls/ca-bundle.ts";
import type { TrustAnchors } from "../../../src/core/identity/mtls/trust-anchors.ts";
import type { Issue } from "../../../src/core/result.ts";
import { createTestPki } from "../../integration/helpers/test-pki.ts";
import type { TestCert, TestPki } from "../../integration/helpers/test-pki.ts";

// The CA bundle file, read from a real temporary directory.

let pki: TestPki;
let rootA: TestCert;
let rootB: TestCert;
let leaf: TestCert;
let constrainedRoot: TestCert;

beforeAll(() => {
  pki = createTestPki();
  rootA = pki.rootCa("Bundle Root A");
  rootB = pki.rootCa("Bundle Root B");
  leaf = pki.issue(rootA, "bundle-leaf", { subject: "/CN=leaf", uris: ["spiffe://td/w"] });
  constrainedRoot = pki.rootCa("Constrained Root", { extraExtensions: ["nameConstraints = critical,permitted;DNS:.example.com"] });
});
afterAll(() => pki.cleanup());

function bundleFile(name: string, text: string): string {
  const file = join(pki.dir, name);
  writeFileSync(file, text);
  return file;
}

describe("loadCaBundle", () => {
  it("reads every CA certificate, with comments between the blocks", async () => {
    const file = bundleFile("two-roots.pem", `# Bundle Root A\n${rootA.pem}\n# Bundle Root B\n${rootB.pem}`);
    const loaded = await loadCaBundle(file);
    expect(loaded.ok && loaded.value.certificates.map((c) => c.subject.text)).toEqual([
      "CN=Bundle Root A,O=modelgate tests",
      "CN=Bundle Root B,O=modelgate tests",
    ]);
  });

  it.each<[string, () => string, string, string]>([
    ["a leaf certificate", () => rootA.pem + leaf.pem, "[1]", "is not a CA certificate"],
    ["a CA with nameConstraints", () => constrainedRoot.pem, "[0]", "has nameConstraints, which modelgate does not evaluate"],
    ["a private key", () => rootA.pem + readFileSync(rootA.keyFile, "utf8"), "", 'is "PRIVATE KEY"; only CERTIFICATE blocks'],
    ["no certificates", () => "# nothing here\n", "", "contains no CERTIFICATE blocks"],
    [
      "a block that is not a certificate",
      () => "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
      "[0]",
      "not an X.509 certificate",
    ],
    ["a block without its END line", () => rootA.pem.replace("-----END CERTIFICATE-----", ""), "", "has no END CERTIFICATE line"],
  ])("rejects a bundle with %s", async (name, text, suffix, message) => {
    const file = bundleFile(`${name.replaceAll(" ", "-")}.pem`, text());
    const loaded = await loadCaBundle(file);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.error).toContainEqual({ path: `${file}${suffix}`, message: expect.stringContaining(message) });
  });

  it("reports a missing file", async () => {
    const loaded = await loadCaBundle(join(pki.dir, "missing.pem"));
    expect(!loaded.ok && loaded.error[0]?.message).toMatch(/^cannot read the CA bundle: ENOENT/);
  });

  it("keeps the last good bundle when a reload finds a broken file", () => {
    const file = bundleFile("reloaded.pem", rootA.pem);
    const rejected: (readonly Issue[])[] = [];
    const store = new FileBackedStore<TrustAnchors>({
      files: [file],
      build: buildCaBundle,
      onLoaded: () => undefined,
      onRejected: (issues) => void rejected.push(issues),
    });
    expect(store.reload()).toBe(true);
    const first = store.current;
    writeFileSync(file, leaf.pem);
    expect(store.reload()).toBe(false);
    expect(store.current).toBe(first);
    expect(rejected[0]?.[0]?.message).toMatch(/is not a CA certificate/);
    writeFileSync(file, rootB.pem);
    expect(store.reload()).toBe(true);
    expect(store.current?.certificates[0]?.subject.text).toBe("CN=Bundle Root B,O=modelgate tests");
  });
});
