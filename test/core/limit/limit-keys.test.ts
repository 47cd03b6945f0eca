import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AttributeValue, AuthMethod, Identity } from "../../../src/core/identity/identity.ts";
import { ANONYMOUS } from "../../../src/core/identity/identity.ts";
import { limitKey, type KeyContext } from "../../../src/core/limit/limit-keys.ts";
import type { LimitKey, LimitSpec, PolicyRef } from "../../../src/core/policy/types.ts";

const KEY_SHAPE = /^mg:rl:\{[A-Za-z0-9_-]{22}\}:[A-Za-z0-9_-]{22}$/;

function identity(subject: string, fields: Partial<Identity> = {}): Identity {
  return { method: "apikey", subject, issuer: "keys", keyId: "abcdefghijkl", groups: [], attributes: {}, ...fields };
}

function policy(name = "fraud-detector", namespace = "ml-prod", rule = "predict"): PolicyRef {
  return { namespace, name, generation: 3, rule };
}

function spec(name = "minute", by: LimitKey = { kind: "identity" }): LimitSpec {
  return { name, requests: 5, periodMs: 60_000, burst: 5, by };
}

function ctx(id: Identity, model = "fraud-detector", sourceAddress = "10.0.0.7:51234"): KeyContext {
  return { identity: id, model, sourceAddress };
}

function hashTag(key: string): string {
  const m = /\{([^}]*)\}/.exec(key);
  if (m === null) throw new Error(`no hash tag in ${key}`);
  return m[1]!;
}

const alice = identity("alice@example.com", { attributes: { org: "acme", team: "data_science", roles: ["reader", "writer"] } });
const bob = identity("bob@example.com", { attributes: { org: "acme", team: "analytics" } });
const carol = identity("carol@example.org", { attributes: { org: "globex" } });

describe("limitKey: shape", () => {
  it("is mg:rl:{<identity hash>}:<scope hash>, with exactly one hash tag", () => {
    const key = limitKey(policy(), "predict", spec(), ctx(alice));
    expect(key).toMatch(KEY_SHAPE);
    expect(key.split("{")).toHaveLength(2);
    expect(key.split("}")).toHaveLength(2);
  });

  it("is deterministic", () => {
    expect(limitKey(policy(), "predict", spec(), ctx(alice))).toBe(limitKey(policy(), "predict", spec(), ctx({ ...alice })));
  });

  it("the generation and the rule field of PolicyRef do not split counters (only the scope argument does)", () => {
    const a = limitKey({ ...policy(), generation: 1 }, "predict", spec(), ctx(alice));
    const b = limitKey({ ...policy(), generation: 2, rule: "other" }, "predict", spec(), ctx(alice));
    expect(a).toBe(b);
  });
});

describe("limitKey: counters are separated by scope, limit and policy", () => {
  const base = limitKey(policy(), "predict", spec(), ctx(alice));
  it.each<[string, string]>([
    ["another rule of the same policy", limitKey(policy(), "gold", spec(), ctx(alice))],
    ["the policy-wide scope", limitKey(policy(), "", spec(), ctx(alice))],
    ["another limit name", limitKey(policy(), "predict", spec("hour"), ctx(alice))],
    ["another policy name", limitKey(policy("churn"), "predict", spec(), ctx(alice))],
    ["another namespace", limitKey(policy("fraud-detector", "ml-staging"), "predict", spec(), ctx(alice))],
    ["another identity", limitKey(policy(), "predict", spec(), ctx(bob))],
  ])("%s gives a different key", (_name, other) => {
    expect(other).not.toBe(base);
    expect(other).toMatch(KEY_SHAPE);
  });

  it("keeps every identity-keyed counter of one identity in one hash slot", () => {
    const tags = new Set(
      [
        limitKey(policy(), "predict", spec(), ctx(alice)),
        limitKey(policy(), "", spec("hour"), ctx(alice)),
        limitKey(policy("churn", "other"), "x", spec("day"), ctx(alice, "churn-model", "10.9.9.9:1")),
      ].map(hashTag),
    );
    expect(tags.size).toBe(1);
  });

  it.each<[string, Identity, Identity]>([
    ["method", identity("s", { method: "apikey" }), identity("s", { method: "jwt" })],
    ["issuer", identity("s", { issuer: "https://a" }), identity("s", { issuer: "https://b" })],
    ["subject", identity("s1"), identity("s2")],
  ])("identities differing only in %s get different keys", (_field, a, b) => {
    expect(limitKey(policy(), "r", spec(), ctx(a))).not.toBe(limitKey(policy(), "r", spec(), ctx(b)));
  });

  it("the key id alone does not split an identity's counter (two keys of one subject share it)", () => {
    expect(limitKey(policy(), "r", spec(), ctx(identity("s", { keyId: "aaaaaaaaaaaa" })))).toBe(
      limitKey(policy(), "r", spec(), ctx(identity("s", { keyId: "bbbbbbbbbbbb" }))),
    );
  });
});

describe("limitKey: by", () => {
  const bySource = spec("per-ip", { kind: "source" });
  const byOrg = spec("org-hour", { kind: "attribute", name: "org" });
  const byModel = spec("per-model", { kind: "identity-model" });

  it.each<[string, string, string]>([
    ["IPv4 ports", "1.2.3.4:5", "1.2.3.4:65000"],
    ["IPv4 with and without a port", "1.2.3.4:5", "1.2.3.4"],
    ["IPv6 ports", "[::1]:5", "[::1]:6"],
    ["IPv6 with and without a port", "[2001:db8::7]:443", "2001:db8::7"],
    ["bracketed IPv6 without a port", "[::1]", "::1"],
  ])("source: %s share one counter", (_name, a, b) => {
    expect(limitKey(policy(), "r", bySource, ctx(alice, "m", a))).toBe(limitKey(policy(), "r", bySource, ctx(alice, "m", b)));
  });

  it.each<[string, string, string]>([
    ["IPv4 hosts", "1.2.3.4:5", "1.2.3.5:5"],
    ["IPv6 hosts", "[::1]:5", "[::2]:5"],
    ["an IPv6 host and its prefix", "[2001:db8::1]:5", "[2001:db8::]:5"],
  ])("source: different %s do not", (_name, a, b) => {
    expect(limitKey(policy(), "r", bySource, ctx(alice, "m", a))).not.toBe(limitKey(policy(), "r", bySource, ctx(alice, "m", b)));
  });

  it("source: ignores who is calling", () => {
    expect(limitKey(policy(), "r", bySource, ctx(alice))).toBe(limitKey(policy(), "r", bySource, ctx(carol)));
    expect(limitKey(policy(), "r", bySource, ctx(alice))).toBe(limitKey(policy(), "r", bySource, ctx(ANONYMOUS)));
  });

  it("attribute:org: one counter per org value, shared by its members", () => {
    const a = limitKey(policy(), "", byOrg, ctx(alice));
    expect(limitKey(policy(), "", byOrg, ctx(bob))).toBe(a);
    expect(limitKey(policy(), "", byOrg, ctx(carol))).not.toBe(a);
  });

  it("attribute: a list value is order-insensitive", () => {
    const byRoles = spec("roles", { kind: "attribute", name: "roles" });
    const x = identity("x", { attributes: { roles: ["a", "b"] } });
    const y = identity("y", { attributes: { roles: ["b", "a"] } });
    const z = identity("z", { attributes: { roles: ["a"] } });
    expect(limitKey(policy(), "", byRoles, ctx(x))).toBe(limitKey(policy(), "", byRoles, ctx(y)));
    expect(limitKey(policy(), "", byRoles, ctx(x))).not.toBe(limitKey(policy(), "", byRoles, ctx(z)));
  });

  it("attribute:org: a caller without an org falls back to its own identity counter, never a shared one", () => {
    const dave = identity("dave@example.com");
    const erin = identity("erin@example.com");
    const daveKey = limitKey(policy(), "", byOrg, ctx(dave));
    expect(daveKey).toBe(limitKey(policy(), "", spec("org-hour"), ctx(dave)));
    expect(limitKey(policy(), "", byOrg, ctx(erin))).not.toBe(daveKey);
    expect(daveKey).not.toBe(limitKey(policy(), "", byOrg, ctx(alice)));
  });

  it("attribute: an org value equal to someone's subject does not share that someone's counter", () => {
    const weird = identity("x", { attributes: { org: "alice@example.com" } });
    expect(limitKey(policy(), "", byOrg, ctx(weird))).not.toBe(limitKey(policy(), "", spec("org-hour"), ctx(alice)));
  });

  it("identity+model: one counter per identity and model", () => {
    const m1 = limitKey(policy(), "r", byModel, ctx(alice, "fraud-detector"));
    expect(limitKey(policy(), "r", byModel, ctx(alice, "fraud-detector", "9.9.9.9:1"))).toBe(m1);
    expect(limitKey(policy(), "r", byModel, ctx(alice, "churn"))).not.toBe(m1);
    expect(limitKey(policy(), "r", byModel, ctx(bob, "fraud-detector"))).not.toBe(m1);
    expect(limitKey(policy(), "r", spec("per-model"), ctx(alice, "fraud-detector"))).not.toBe(m1);
  });
});

const METHODS: readonly AuthMethod[] = ["apikey", "jwt", "mtls", "anonymous"];
// Long enough that a chance match inside a 22-character base64url hash is out of the question.
const secretText = fc.string({ minLength: 6, maxLength: 60 }).filter((s) => !"mg:rl:{}".includes(s));
const attributeValue: fc.Arbitrary<AttributeValue> = fc.oneof(secretText, fc.array(secretText, { minLength: 1, maxLength: 3 }));
const anyBy: fc.Arbitrary<LimitKey> = fc.oneof(
  fc.constant<LimitKey>({ kind: "identity" }),
  fc.constant<LimitKey>({ kind: "identity-model" }),
  fc.constant<LimitKey>({ kind: "source" }),
  fc.constantFrom("org", "team", "missing").map<LimitKey>((name) => ({ kind: "attribute", name })),
);

describe("limitKey: properties", () => {
  it("no identity text, attribute value, model or address ever appears in a key", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...METHODS),
        secretText,
        secretText,
        fc.record({ org: attributeValue, team: attributeValue }),
        secretText,
        anyBy,
        fc.stringMatching(/^[a-z0-9]{1,20}$/),
        (method, subject, issuer, attributes, model, by, scope) => {
          const id = identity(subject, { method, issuer, attributes });
          const key = limitKey(policy(), scope, spec("limit", by), ctx(id, model, "203.0.113.77:40000"));
          expect(key).toMatch(KEY_SHAPE);
          const secrets = [subject, issuer, model, "203.0.113.77", ...Object.values(attributes).flat()];
          for (const text of secrets) expect(key.includes(text), `${JSON.stringify(text)} in ${key}`).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("different subjects never share an identity-keyed counter", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        expect(limitKey(policy(), "r", spec(), ctx(identity(a)))).not.toBe(limitKey(policy(), "r", spec(), ctx(identity(b))));
      }),
      { numRuns: 500 },
    );
  });
});
