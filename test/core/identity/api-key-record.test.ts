import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keyDigest, parseApiKeyRecord, recordForKey, toStoredRecord } from "../../../src/core/identity/api-key-record.ts";
import { parseInstant } from "../../../src/core/identity/instant.ts";
import { T0, mintFrom } from "./helpers.ts";

const KEY = mintFrom("record").key;
const ID = KEY.slice(4, 16);
const DIGEST = keyDigest(KEY);
const MINIMAL = { id: ID, digest: DIGEST, subject: "svc-scorer" };

describe("keyDigest", () => {
  it("is sha256: and the hex SHA-256 of the whole key", () => {
    expect(DIGEST).toBe(`sha256:${createHash("sha256").update(KEY).digest("hex")}`);
  });
});

describe("parseApiKeyRecord accepts", () => {
  it("a minimal record, filling defaults", () => {
    expect(parseApiKeyRecord(MINIMAL, "keys[0]")).toEqual({
      ok: true,
      value: {
        ...MINIMAL,
        attributes: {},
        groups: [],
        expiresAt: undefined,
        revoked: false,
        createdAt: undefined,
        description: undefined,
      },
    });
  });

  it("a full record, wrapping a single role in a list", () => {
    const input = {
      ...MINIMAL,
      attributes: { org: "acme", team: "data_science", tier: "gold", roles: "admin", "cost.center-2_x": ["a", "b"] },
      groups: ["ml-users"],
      expiresAt: "2027-01-01T00:00:00+01:00",
      revoked: true,
      createdAt: "2026-01-01T00:00:00.123Z",
      description: "scoring service",
    };
    const result = parseApiKeyRecord(input, "");
    expect(result.ok && result.value.attributes).toEqual({ ...input.attributes, roles: ["admin"] });
    expect(result.ok && result.value.revoked).toBe(true);
    expect(result.ok && Object.isFrozen(result.value)).toBe(true);
  });

  it("null optional fields as absent", () => {
    const result = parseApiKeyRecord({ ...MINIMAL, expiresAt: null, groups: null }, "");
    expect(result.ok && result.value.expiresAt).toBeUndefined();
  });
});

describe("parseApiKeyRecord rejects", () => {
  it.each<[string, unknown, string]>([
    ["a list", [MINIMAL], "k"],
    ["a string", "mgk_x", "k"],
    ["a missing id", { digest: DIGEST, subject: "s" }, "k.id"],
    ["a missing digest", { id: ID, subject: "s" }, "k.digest"],
    ["a missing subject", { id: ID, digest: DIGEST }, "k.subject"],
    ["a misspelled field", { ...MINIMAL, revokd: true }, "k.revokd"],
    ["an id with upper case", { ...MINIMAL, id: ID.toUpperCase() }, "k.id"],
    ["a whole key as the id", { ...MINIMAL, id: KEY }, "k.id"],
    ["an upper-case digest", { ...MINIMAL, digest: DIGEST.toUpperCase() }, "k.digest"],
    ["a short digest", { ...MINIMAL, digest: DIGEST.slice(0, -1) }, "k.digest"],
    ["an md5 digest", { ...MINIMAL, digest: "md5:0123456789abcdef0123456789abcdef" }, "k.digest"],
    ["an hmac digest (not yet supported)", { ...MINIMAL, digest: `hmac-${DIGEST}` }, "k.digest"],
    ["an empty subject", { ...MINIMAL, subject: "" }, "k.subject"],
    ["a subject with a newline", { ...MINIMAL, subject: "alice\nx-admin: 1" }, "k.subject"],
    ["a 257-character subject", { ...MINIMAL, subject: "a".repeat(257) }, "k.subject"],
    ["a numeric attribute", { ...MINIMAL, attributes: { tier: 1 } }, "k.attributes.tier"],
    ["a nested attribute", { ...MINIMAL, attributes: { team: { name: "x" } } }, "k.attributes.team"],
    ["an upper-case attribute name", { ...MINIMAL, attributes: { Team: "x" } }, "k.attributes.Team"],
    ["an attribute name starting with a digit", { ...MINIMAL, attributes: { "1team": "x" } }, "k.attributes.1team"],
    [
      "a __proto__ attribute",
      JSON.parse(`{"id":"${ID}","digest":"${DIGEST}","subject":"s","attributes":{"__proto__":"x"}}`),
      "k.attributes.__proto__",
    ],
    ["a list with a number", { ...MINIMAL, attributes: { roles: ["a", 2] } }, "k.attributes.roles[1]"],
    ["65 list items", { ...MINIMAL, groups: Array.from({ length: 65 }, (_, i) => `g${i}`) }, "k.groups"],
    ["65 attributes", { ...MINIMAL, attributes: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`a${i}`, "x"])) }, "k.attributes"],
    ["groups as a string", { ...MINIMAL, groups: "ml" }, "k.groups"],
    ["an expiry without a zone", { ...MINIMAL, expiresAt: "2027-01-01T00:00:00" }, "k.expiresAt"],
    ["an expiry on 30 February", { ...MINIMAL, expiresAt: "2027-02-30T00:00:00Z" }, "k.expiresAt"],
    ["an expiry parsed as a date object", { ...MINIMAL, expiresAt: new Date(T0) }, "k.expiresAt"],
    ["an expiry as epoch ms", { ...MINIMAL, expiresAt: T0 }, "k.expiresAt"],
    ["revoked as a string", { ...MINIMAL, revoked: "yes" }, "k.revoked"],
    ["a 1025-character description", { ...MINIMAL, description: "d".repeat(1025) }, "k.description"],
  ])("%s", (_name, input, path) => {
    const result = parseApiKeyRecord(input, "k");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.map((issue) => issue.path)).toContain(path);
  });

  it("reports every problem at once", () => {
    const result = parseApiKeyRecord({ id: "x", digest: "y", subject: 3, extra: 1 }, "k");
    expect(result.ok ? [] : result.error.map((i) => i.path).sort()).toEqual(["k.digest", "k.extra", "k.id", "k.subject"]);
  });
});

describe("parseInstant", () => {
  it.each([
    ["2027-01-01T00:00:00Z", Date.UTC(2027, 0, 1)],
    ["2027-01-01T01:00:00+01:00", Date.UTC(2027, 0, 1)],
    ["2028-02-29T00:00:00Z", Date.UTC(2028, 1, 29)],
    ["2027-02-29T00:00:00Z", undefined],
    ["2027-01-01T24:00:00Z", undefined],
    ["2027-01-01", undefined],
    ["2027-01-01 00:00:00Z", undefined],
  ])("%s → %s", (text, expected) => {
    expect(parseInstant(text)).toBe(expected);
  });
});

describe("recordForKey", () => {
  it("derives id, digest and createdAt, and formats the expiry", () => {
    const expiresAt = T0 + 86_400_000;
    const result = recordForKey(KEY, { subject: "alice@example.com", attributes: { team: "ds" }, expiresAt }, T0);
    expect(result.ok && result.value).toMatchObject({
      id: ID,
      digest: DIGEST,
      subject: "alice@example.com",
      attributes: { team: "ds" },
      expiresAt: "2026-11-02T00:00:00.000Z",
      createdAt: "2026-11-01T00:00:00.000Z",
      revoked: false,
    });
  });

  it.each([
    ["a malformed key", "mgk_nope", { subject: "s" }, "key"],
    ["an expiry now", KEY, { subject: "s", expiresAt: T0 }, "expiresAt"],
    ["an expiry out of range", KEY, { subject: "s", expiresAt: 1e300 }, "expiresAt"],
    ["a bad attribute name", KEY, { subject: "s", attributes: { "Bad Name": "x" } }, "attributes.Bad Name"],
    ["an empty subject", KEY, { subject: "" }, "subject"],
  ])("rejects %s", (_name, key, fields, path) => {
    const result = recordForKey(key, fields, T0);
    expect(result.ok ? [] : result.error.map((i) => i.path)).toContain(path);
  });
});

describe("toStoredRecord", () => {
  it("omits defaults and round-trips through the parser", () => {
    const full = parseApiKeyRecord({ ...MINIMAL, attributes: { roles: ["r"] }, revoked: true }, "");
    const minimal = parseApiKeyRecord(MINIMAL, "");
    if (!full.ok || !minimal.ok) throw new Error("fixture");
    expect(toStoredRecord(minimal.value)).toEqual(MINIMAL);
    expect(parseApiKeyRecord(toStoredRecord(full.value), "")).toEqual(full);
  });
});
