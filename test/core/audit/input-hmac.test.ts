import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { auditHmacKey, hmacHex } from "../../../src/core/audit/input-hmac.ts";

// The memoized HMAC must be createHmac's, for every text, whether it is served from the memo,
// computed because it is too long to keep, or recomputed after the memo started over.
const keys = {
  "a 32-byte key": new TextEncoder().encode("k".repeat(32)),
  "a 64-byte key (one SHA-256 block)": new TextEncoder().encode("0123456789abcdef".repeat(4)),
  "a key longer than a block": new TextEncoder().encode("long-key-".repeat(20)),
};

const texts = [
  "",
  "POST /v2/models/fraud-detector/infer",
  "GET /v1/models?b=2&a=1",
  "subject\u0000alice@example.com",
  "subject\u0000Ünïcödé ✓ 𝄞 \ud800",
  "x".repeat(256),
  "x".repeat(257),
  "y".repeat(5000),
];

const reference = (key: Uint8Array, text: string): string => createHmac("sha256", key).update(text).digest("hex");

describe("recurring HMAC equals createHmac", () => {
  for (const [name, bytes] of Object.entries(keys)) {
    const key = auditHmacKey(bytes);
    it.each(texts.map((t) => [t.length, t] as const))(`${name}: a text of %i chars, twice`, (_, text) => {
      expect(key.recurring(text)).toBe(reference(bytes, text));
      expect(key.recurring(text)).toBe(reference(bytes, text));
      expect(hmacHex(key, text)).toBe(reference(bytes, text));
    });
  }

  it("stays right across more distinct texts than the memo holds", () => {
    const bytes = keys["a 32-byte key"];
    const key = auditHmacKey(bytes);
    for (let round = 0; round < 2; round += 1) {
      for (let i = 0; i < 5000; i += 1) {
        const text = `GET /v1/models/m${i}/infer`;
        expect(key.recurring(text)).toBe(reference(bytes, text));
      }
    }
  });

  it("keeps one memo per key: the same text under two keys gives two HMACs", () => {
    const a = auditHmacKey(keys["a 32-byte key"]);
    const b = auditHmacKey(keys["a 64-byte key (one SHA-256 block)"]);
    const text = "POST /v2/models/fraud-detector/infer";
    expect(a.recurring(text)).toBe(reference(keys["a 32-byte key"], text));
    expect(b.recurring(text)).toBe(reference(keys["a 64-byte key (one SHA-256 block)"], text));
    expect(a.recurring(text)).not.toBe(b.recurring(text));
  });
});
