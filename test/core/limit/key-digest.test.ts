import { describe, expect, it } from "vitest";
import { memoizedDigest, sha256Digest } from "../../../src/core/limit/key-digest.ts";
import { limitKey, penaltyKey, sanctionKey } from "../../../src/core/limit/limit-keys.ts";
import type { Identity } from "../../../src/core/identity/identity.ts";
import type { LimitSpec } from "../../../src/core/policy/types.ts";

const alice: Identity = {
  method: "apikey",
  subject: "alice@example.com",
  issuer: "keys",
  keyId: "k1",
  groups: [],
  attributes: { org: "acme" },
};
const policy = { namespace: "default", name: "fraud", generation: 1, rule: "predict" };
const spec: LimitSpec = { name: "minute", requests: 5, periodMs: 60_000, burst: 5, by: { kind: "identity" } };

describe("memoizedDigest", () => {
  it("answers what SHA-256 answers, computing each text once", () => {
    const computed: string[] = [];
    const digest = memoizedDigest(10, (text) => (computed.push(text), sha256Digest(text)));
    expect([digest("a"), digest("b"), digest("a"), digest("a")]).toEqual([
      sha256Digest("a"),
      sha256Digest("b"),
      sha256Digest("a"),
      sha256Digest("a"),
    ]);
    expect(computed).toEqual(["a", "b"]);
  });

  it("is bounded: a full memo starts over", () => {
    const computed: string[] = [];
    const digest = memoizedDigest(2, (text) => (computed.push(text), text.toUpperCase()));
    for (const text of ["a", "b", "c", "a"]) digest(text);
    expect(computed).toEqual(["a", "b", "c", "a"]);
  });

  it("gives the very keys the plain digest gives, so replicas with and without it share counters", () => {
    const memo = memoizedDigest(100);
    const ctx = { identity: alice, model: "fraud-detector", sourceAddress: "10.0.0.7:5000" };
    for (let i = 0; i < 2; i++) {
      expect(limitKey(policy, "predict", spec, { ...ctx, digest: memo })).toBe(limitKey(policy, "predict", spec, ctx));
      expect(penaltyKey(policy, { ...ctx, digest: memo })).toBe(penaltyKey(policy, ctx));
      expect(sanctionKey(alice, memo)).toBe(sanctionKey(alice));
    }
  });
});
