import { describe, expect, it } from "vitest";
import { buildKeyIndex, verifyApiKey } from "../../../src/core/identity/key-store.ts";
import type { KeyIndex } from "../../../src/core/identity/key-store.ts";
import { T0, mintFrom, recordOf, sameIdOtherSecret } from "./helpers.ts";

const HOUR = 3_600_000;
const alice = mintFrom("alice");
const revoked = mintFrom("revoked");
const expiring = mintFrom("expiring");
const EXPIRY = T0 + HOUR;

const { index } = buildKeyIndex([
  recordOf(alice.key, {
    subject: "alice@example.com",
    attributes: { org: "acme", team: "data_science", roles: ["reader", "writer"] },
    groups: ["ml-users"],
  }),
  recordOf(revoked.key, { subject: "mallory" }, { revoked: true }),
  recordOf(expiring.key, { subject: "temp", expiresAt: EXPIRY }),
]);

function typo(key: string): string {
  const at = 30;
  return key.slice(0, at) + (key[at] === "a" ? "b" : "a") + key.slice(at + 1);
}

describe("verifyApiKey", () => {
  it.each([
    ["a malformed key", "mgk_short", T0, "api_key_malformed"],
    ["a key with a typo", typo(alice.key), T0, "api_key_checksum"],
    ["a well-formed key nobody issued", mintFrom("stranger").key, T0, "api_key_unknown"],
    ["a real id with the wrong secret", sameIdOtherSecret("alice", "guess").key, T0, "api_key_unknown"],
    ["a revoked key", revoked.key, T0, "api_key_revoked"],
    ["a revoked key's id with the wrong secret", sameIdOtherSecret("revoked", "guess").key, T0, "api_key_unknown"],
    ["an expired key's id with the wrong secret", sameIdOtherSecret("expiring", "guess").key, EXPIRY, "api_key_unknown"],
    ["a key exactly at its expiry", expiring.key, EXPIRY, "api_key_expired"],
    ["a key after its expiry", expiring.key, EXPIRY + 1, "api_key_expired"],
  ])("rejects %s", (_name, key, now, reason) => {
    expect(verifyApiKey(index, key, now)).toMatchObject({ kind: "rejected", reason, scheme: "ApiKey" });
  });

  it("accepts a key one millisecond before its expiry", () => {
    expect(verifyApiKey(index, expiring.key, EXPIRY - 1).kind).toBe("identified");
  });

  it("identifies a valid key with the record's subject, groups and attributes", () => {
    const outcome = verifyApiKey(index, alice.key, T0, "ApiKey");
    expect(outcome).toEqual({
      kind: "identified",
      identity: {
        method: "apikey",
        subject: "alice@example.com",
        issuer: "modelgate-keys",
        keyId: alice.id,
        groups: ["ml-users"],
        attributes: { org: "acme", team: "data_science", roles: ["reader", "writer"] },
      },
    });
    expect(outcome.kind === "identified" && Object.isFrozen(outcome.identity)).toBe(true);
  });

  it("gives the same answer for an unknown id and a wrong secret, so ids cannot be probed", () => {
    expect(sameIdOtherSecret("alice", "guess").id).toBe(alice.id);
    const unknownId = verifyApiKey(index, mintFrom("stranger").key, T0);
    const wrongSecret = verifyApiKey(index, sameIdOtherSecret("alice", "guess").key, T0);
    expect(wrongSecret).toEqual(unknownId);
  });

  it("carries the presentation's scheme into a rejection", () => {
    const outcome = verifyApiKey(index, mintFrom("stranger").key, T0, "Bearer");
    expect(outcome).toMatchObject({ kind: "rejected", scheme: "Bearer" });
  });

  it.each([
    ["a malformed key", "mgk_short"],
    ["a key with a bad checksum", typo(alice.key)],
  ])("never consults the store for %s", (_name, key) => {
    let lookups = 0;
    const spy: KeyIndex = { issuer: "x", size: 1, get: (id) => (lookups++, index.get(id)) };
    verifyApiKey(spy, key, T0);
    expect(lookups).toBe(0);
  });
});

describe("buildKeyIndex", () => {
  it("keeps the first of two records with the same id and reports the second", () => {
    const first = recordOf(alice.key, { subject: "first" });
    const second = recordOf(alice.key, { subject: "second" });
    const built = buildKeyIndex([first, second]);
    expect(built.index.size).toBe(1);
    expect(built.index.get(alice.id)?.record.subject).toBe("first");
    expect(built.issues).toEqual([{ path: "keys[1].id", message: `duplicate key id ${alice.id} (first at keys[0])` }]);
  });

  it("uses the configured store name as the identity issuer", () => {
    const built = buildKeyIndex([recordOf(alice.key)], { issuer: "team-a-keys" });
    const outcome = verifyApiKey(built.index, alice.key, T0);
    expect(outcome.kind === "identified" && outcome.identity.issuer).toBe("team-a-keys");
  });

  it("is immutable", () => {
    expect(Object.isFrozen(index)).toBe(true);
    expect(index.get("nosuchkeyid22")).toBeUndefined();
  });
});

describe("key rotation", () => {
  // Rotation overlap: the new key is issued before the old one expires, so for a while the same
  // owner holds two live keys, each identifying as the same subject with its own key id.
  const old = mintFrom("rotation-old");
  const fresh = mintFrom("rotation-new");
  const { index: rotating } = buildKeyIndex([
    recordOf(old.key, { subject: "svc-scorer", attributes: { team: "data_science" }, expiresAt: T0 + HOUR }),
    recordOf(fresh.key, { subject: "svc-scorer", attributes: { team: "data_science" }, expiresAt: T0 + 30 * 24 * HOUR }),
  ]);

  it("accepts both keys of one owner during the overlap, as the same subject with distinct key ids", () => {
    const a = verifyApiKey(rotating, old.key, T0);
    const b = verifyApiKey(rotating, fresh.key, T0);
    expect(a).toMatchObject({ kind: "identified", identity: { subject: "svc-scorer", keyId: old.id } });
    expect(b).toMatchObject({ kind: "identified", identity: { subject: "svc-scorer", keyId: fresh.id } });
  });

  it("keeps only the new key once the old one expires", () => {
    expect(verifyApiKey(rotating, old.key, T0 + HOUR)).toMatchObject({ kind: "rejected", reason: "api_key_expired" });
    expect(verifyApiKey(rotating, fresh.key, T0 + HOUR)).toMatchObject({ kind: "identified" });
  });
});
