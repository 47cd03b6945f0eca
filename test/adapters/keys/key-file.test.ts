import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadKeyFile, parseKeyFileText } from "../../../src/adapters/keys/key-file.ts";
import { buildKeyIndex, verifyApiKey } from "../../../src/core/identity/key-store.ts";
import { T0 } from "../../core/identity/helpers.ts";

const FIXTURES = join(import.meta.dirname, "fixtures");
// Plaintext of the test keys whose digests are in fixtures/valid.{yaml,json}.
const ALICE_KEY = "mgk_xgdm73aplzvz_pQ1DSqG5rfUcw0Vmh9yz4hWGgwuE2PL10laNF5";
const BOB_KEY = "mgk_2njzyqxmxzac_rx8YTZf8BeV1ziK6r34HzEG5wxKSjpwt2ZOMGN";
const REVOKED_KEY = "mgk_76nqjw6aibx5_G1SNV3aP7Z8CqxqHYHcKk33C7wJtk0wf1u485Y";

const fixture = (name: string) => join(FIXTURES, name);

describe("loadKeyFile accepts", () => {
  it.each(["valid.yaml", "valid.json"])("%s, and its keys verify", async (name) => {
    const loaded = await loadKeyFile(fixture(name));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
    expect(loaded.value.map((r) => r.subject)).toEqual(["alice@example.com", "svc-scorer", "mallory"]);
    const { index, issues } = buildKeyIndex(loaded.value);
    expect(issues).toEqual([]);
    expect(verifyApiKey(index, ALICE_KEY, T0)).toMatchObject({
      kind: "identified",
      identity: {
        subject: "alice@example.com",
        groups: ["ml-users"],
        attributes: { org: "acme", team: "data_science", tier: "gold", roles: ["reader", "predictor"] },
      },
    });
    expect(verifyApiKey(index, BOB_KEY, T0)).toMatchObject({ kind: "identified", identity: { subject: "svc-scorer" } });
    expect(verifyApiKey(index, REVOKED_KEY, T0)).toMatchObject({ kind: "rejected", reason: "api_key_revoked" });
    expect(verifyApiKey(index, ALICE_KEY, Date.parse("2027-01-01T00:00:00Z"))).toMatchObject({ reason: "api_key_expired" });
  });

  it("a file with an empty key list", async () => {
    expect(await loadKeyFile(fixture("empty-keys.yaml"))).toEqual({ ok: true, value: [] });
  });
});

describe("loadKeyFile rejects the whole file for", () => {
  it.each<[string, string, RegExp]>([
    ["one-bad-record.yaml", "one-bad-record.yaml:keys[1].attributes.tier", /string/],
    ["misspelled-field.yaml", "misspelled-field.yaml:keys[0].revokd", /unknown field/],
    ["yaml-syntax-error.yaml", "yaml-syntax-error.yaml:6:1", /^[A-Z_]+: /],
    ["duplicate-ids.yaml", "duplicate-ids.yaml:keys[1].id", /duplicate key id xgdm73aplzvz \(first at keys\[0\]\)/],
    ["duplicate-mapping-key.yaml", "duplicate-mapping-key.yaml:5:5", /DUPLICATE_KEY/],
    ["multiple-documents.yaml", "multiple-documents.yaml:5:1", /MULTIPLE_DOCS/],
    ["top-level-list.yaml", "top-level-list.yaml", /keys: \[\]/],
    ["unknown-top-level-field.yaml", "unknown-top-level-field.yaml:key", /unknown field/],
    ["keys-not-a-list.yaml", "keys-not-a-list.yaml:keys", /list/],
    ["plaintext-key-instead-of-digest.yaml", "plaintext-key-instead-of-digest.yaml:keys[0].digest", /SHA-256/],
    ["binary-tag.yaml", "binary-tag.yaml:5:18", /TAG_RESOLVE_FAILED/],
    ["empty-file.yaml", "empty-file.yaml", /keys: \[\]/],
    ["alias-bomb.yaml", "alias-bomb.yaml", /alias/i],
  ])("%s", async (name, path, message) => {
    const loaded = await loadKeyFile(fixture(name));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const issue = loaded.error.find((i) => i.path.endsWith(path));
    expect(issue, JSON.stringify(loaded.error)).toBeDefined();
    expect(issue?.message).toMatch(message);
    expect(JSON.stringify(loaded.error)).not.toContain(ALICE_KEY.slice(17));
  });

  it("a missing file", async () => {
    const loaded = await loadKeyFile(fixture("no-such-file.yaml"));
    expect(loaded).toMatchObject({ ok: false, error: [{ message: expect.stringMatching(/ENOENT/) }] });
  });
});

describe("parseKeyFileText", () => {
  it("rejects oversized input before parsing it", () => {
    const result = parseKeyFileText(" ".repeat(16 * 1024 * 1024 + 1), "big.yaml");
    expect(result).toMatchObject({ ok: false, error: [{ path: "big.yaml" }] });
  });
});
