import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../src/core/audit/canonical-json.ts";
import { GENESIS_HASH, genesisHead, recordHash, sealEvent, sha256Hex } from "../../../src/core/audit/chain.ts";
import { checkCheckpointSignature, ed25519PublicKey, ed25519Signer, sealCheckpoint } from "../../../src/core/audit/checkpoint.ts";
import { T0, buildChain, decisionEvent, testKeys } from "./builders.ts";

describe("hash chain", () => {
  it("numbers records from 0 and links each to the hash of the one before", () => {
    const records = buildChain(3).map((r) => JSON.parse(r.line) as Record<string, unknown>);
    expect(records.map((r) => r["seq"])).toEqual([0, 1, 2]);
    expect(records[0]?.["prev"]).toBe(GENESIS_HASH);
    expect(records[1]?.["prev"]).toBe(records[0]?.["hash"]);
    expect(records[2]?.["prev"]).toBe(records[1]?.["hash"]);
  });

  it("hashes the canonical JSON of the record without its hash, and writes the line canonically", () => {
    const [sealed] = buildChain(1);
    const { hash, ...rest } = JSON.parse(sealed?.line ?? "") as Record<string, string>;
    expect(hash).toBe(sha256Hex(canonicalJson(rest)));
    expect(hash).toBe(recordHash(rest));
    expect(sealed?.line).toBe(canonicalJson({ ...rest, hash: hash ?? "" }));
    expect(sealed?.bytes).toBe(Buffer.byteLength(sealed?.line ?? "") + 1);
  });

  it("returns the new head and leaves the old one usable (sealing is pure)", () => {
    const head = genesisHead("pod-a");
    const a = sealEvent(head, decisionEvent(1));
    const b = sealEvent(head, decisionEvent(1));
    expect(a.record.line).toBe(b.record.line);
    expect(a.head).toEqual({ chain: "pod-a", seq: 0, hash: a.record.hash });
  });

  it.each(["v", "chain", "seq", "prev", "hash"])("refuses an event carrying the envelope key %s", (key) => {
    const event = { ...decisionEvent(0), [key]: "x" };
    expect(() => sealEvent(genesisHead("pod-a"), event)).toThrow(/envelope/);
  });

  it.each(["", "-leading-dash", "has space", "x".repeat(129), "new\nline"])("refuses the chain id %j", (id) => {
    expect(() => genesisHead(id)).toThrow();
  });
});

describe("checkpoints", () => {
  const keys = testKeys();

  it("sign the head with Ed25519 and name the key", () => {
    const head = sealEvent(genesisHead("pod-a"), decisionEvent(0)).head;
    const { record } = sealCheckpoint(head, T0, keys.signer);
    const cp = JSON.parse(record.line) as Record<string, unknown>;
    expect(cp).toMatchObject({
      type: "checkpoint",
      seq: 1,
      prev: head.hash,
      head: { seq: 0, hash: head.hash },
      alg: "ed25519",
      key_id: keys.publicKey.keyId,
    });
    expect(keys.publicKey.keyId).toMatch(/^ed25519:[0-9a-f]{32}$/);
    expect(checkCheckpointSignature(cp as never, [keys.publicKey])).toBe("valid");
  });

  it.each<[string, (cp: Record<string, unknown>) => Record<string, unknown>, string]>([
    ["a changed head", (cp) => ({ ...cp, head: { seq: 0, hash: "f".repeat(64) } }), "invalid"],
    ["a changed time", (cp) => ({ ...cp, time: "2030-01-01T00:00:00.000Z" }), "invalid"],
    ["a changed seq", (cp) => ({ ...cp, seq: 7 }), "invalid"],
    ["no signature", (cp) => ({ ...cp, alg: "none", sig: "" }), "unsigned"],
    ["another key id", (cp) => ({ ...cp, key_id: "ed25519:" + "0".repeat(32) }), "unknown_key"],
    ["garbage signature", (cp) => ({ ...cp, sig: "AAAA" }), "invalid"],
  ])("detect %s", (_name, mutate, expected) => {
    const head = sealEvent(genesisHead("pod-a"), decisionEvent(0)).head;
    const cp = JSON.parse(sealCheckpoint(head, T0, keys.signer).record.line) as Record<string, unknown>;
    expect(checkCheckpointSignature(mutate(cp) as never, [keys.publicKey])).toBe(expected);
  });

  it("are unsigned without a signing key", () => {
    const { record } = sealCheckpoint(genesisHead("pod-a"), T0, undefined);
    expect(JSON.parse(record.line)).toMatchObject({ alg: "none", key_id: "", sig: "" });
  });

  it.each([
    ["not PEM", "hello"],
    ["an RSA key", "rsa"],
  ])("refuse a signing key that is %s", (_name, kind) => {
    const pem = kind === "rsa" ? testRsaPem() : kind;
    expect(ed25519Signer(pem).ok).toBe(false);
    expect(ed25519PublicKey(pem).ok).toBe(false);
  });
});

function testRsaPem(): string {
  // A small RSA key is enough to show that only Ed25519 is accepted.
  return generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}
