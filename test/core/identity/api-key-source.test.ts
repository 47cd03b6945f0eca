import { describe, expect, it } from "vitest";
import type { SourceOutcome } from "../../../src/core/identity/identity.ts";
import { apiKeySource } from "../../../src/core/identity/api-key-source.ts";
import { buildKeyIndex } from "../../../src/core/identity/key-store.ts";
import type { KeyIndex } from "../../../src/core/identity/key-store.ts";
import { bearerToken } from "../../../src/core/identity/sources.ts";
import { T0, mintFrom, recordOf, requestWith } from "./helpers.ts";

const alice = mintFrom("alice");
const bob = mintFrom("bob");
const { index } = buildKeyIndex([recordOf(alice.key, { subject: "alice" }), recordOf(bob.key, { subject: "bob" })]);
const source = apiKeySource({ keys: () => index });
const JWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";

function run(headers: Record<string, string>): SourceOutcome {
  return source.identify(requestWith(headers), T0) as SourceOutcome;
}

describe("apiKeySource", () => {
  it.each<[string, Record<string, string>]>([
    ["x-api-key", { "x-api-key": alice.key }],
    ["x-api-key with surrounding spaces", { "x-api-key": ` ${alice.key}\t` }],
    ["Authorization: Bearer mgk_", { authorization: `Bearer ${alice.key}` }],
    ["lower-case bearer", { authorization: `bearer ${alice.key}` }],
    ["upper-case BEARER and extra spaces", { authorization: `BEARER   ${alice.key}  ` }],
    ["the same key in both headers", { "x-api-key": alice.key, authorization: `Bearer ${alice.key}` }],
    ["x-api-key next to a JWT bearer", { "x-api-key": alice.key, authorization: `Bearer ${JWT}` }],
  ])("identifies a key in %s", (_name, headers) => {
    expect(run(headers)).toEqual({ kind: "identified", identity: index.get(alice.id)?.identity });
  });

  it("names both headers it reads a key from, so an allow removes them before the request goes upstream", () => {
    expect(source.credentialHeaders).toEqual(["x-api-key", "authorization"]);
  });

  it.each<[string, Record<string, string>]>([
    ["no credential", {}],
    ["a JWT bearer token", { authorization: `Bearer ${JWT}` }],
    ["a bare Bearer", { authorization: "Bearer" }],
    ["Basic auth", { authorization: "Basic YWxpY2U6cHc=" }],
    ["an mgk_ token under another scheme", { authorization: `Token ${alice.key}` }],
  ])("is absent for %s", (_name, headers) => {
    expect(run(headers)).toEqual({ kind: "absent" });
  });

  it.each<[string, Record<string, string>, string, string]>([
    ["an empty x-api-key", { "x-api-key": "" }, "api_key_malformed", "ApiKey"],
    ["a blank x-api-key", { "x-api-key": "  " }, "api_key_malformed", "ApiKey"],
    ["an empty x-api-key next to a valid bearer", { "x-api-key": "", authorization: `Bearer ${alice.key}` }, "api_key_malformed", "ApiKey"],
    ["a non-mgk x-api-key", { "x-api-key": "hunter2" }, "api_key_malformed", "ApiKey"],
    ["two comma-joined keys", { "x-api-key": `${alice.key}, ${bob.key}` }, "api_key_malformed", "ApiKey"],
    ["different keys in the two headers", { "x-api-key": alice.key, authorization: `Bearer ${bob.key}` }, "credential_conflict", "ApiKey"],
    ["a bearer mgk_ key with a typo", { authorization: `Bearer ${alice.key.slice(0, -1)}0` }, "api_key_checksum", "Bearer"],
    ["an unknown bearer mgk_ key", { authorization: `Bearer ${mintFrom("x").key}` }, "api_key_unknown", "Bearer"],
  ])("rejects %s", (_name, headers, reason, scheme) => {
    const outcome = run(headers);
    expect(outcome).toMatchObject({ kind: "rejected", reason, scheme });
    expect(JSON.stringify(outcome)).not.toContain(alice.key);
  });

  it("reads the current index on every request, so a reload takes effect", () => {
    let current: KeyIndex = buildKeyIndex([]).index;
    const swappable = apiKeySource({ keys: () => current });
    const req = requestWith({ "x-api-key": alice.key });
    expect(swappable.identify(req, T0)).toMatchObject({ kind: "rejected", reason: "api_key_unknown" });
    current = index;
    expect(swappable.identify(req, T0)).toMatchObject({ kind: "identified" });
  });

  it("honours a custom name and header", () => {
    const custom = apiKeySource({ name: "partner-keys", header: "x-partner-key", keys: () => index });
    expect(custom.name).toBe("partner-keys");
    expect(custom.scheme).toBe("ApiKey");
    expect(custom.identify(requestWith({ "x-partner-key": alice.key }), T0)).toMatchObject({ kind: "identified" });
    expect(custom.credentialHeaders).toEqual(["x-partner-key", "authorization"]);
  });
});

describe("bearerToken", () => {
  it("stays linear on a header full of spaces", () => {
    const started = performance.now();
    for (const tail of ["\0", "x\n", "x"]) bearerToken(new Map([["authorization", `Bearer${" ".repeat(60_000)}${tail}`]]));
    expect(performance.now() - started).toBeLessThan(500);
  });

  it.each<[string | undefined, string | undefined]>([
    [undefined, undefined],
    ["Bearer abc", "abc"],
    ["bEaReR \t abc \t", "abc"],
    ["Bearer", ""],
    ["Bearer ", ""],
    ["Bearerabc", undefined],
    ["Basic abc", undefined],
    ["Bearer a b", "a b"],
    ["  Bearer\tabc", "abc"],
  ])("%j → %j", (header, token) => {
    const headers = new Map(header === undefined ? [] : [["authorization", header]]);
    expect(bearerToken(headers)).toBe(token);
  });
});
