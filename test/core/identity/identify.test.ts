import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ANONYMOUS } from "../../../src/core/identity/identity.ts";
import type { Identity, SourceOutcome } from "../../../src/core/identity/identity.ts";
import { apiKeySource } from "../../../src/core/identity/api-key-source.ts";
import { challengeFor, identify } from "../../../src/core/identity/identify.ts";
import { buildKeyIndex } from "../../../src/core/identity/key-store.ts";
import type { IdentitySource } from "../../../src/core/identity/sources.ts";
import { T0, mintFrom, recordOf, requestWith } from "./helpers.ts";

const REQ = requestWith({});
const person = (subject: string): Identity => ({ ...ANONYMOUS, method: "jwt", subject });

// A scripted source that records whether it was asked.
function scripted(name: string, outcome: SourceOutcome, scheme = "Bearer") {
  const calls: number[] = [];
  const source: IdentitySource = {
    name,
    scheme,
    credentialHeaders: ["authorization"],
    identify: (_req, now) => {
      calls.push(now);
      return outcome;
    },
  };
  return { source, calls };
}

const absent: SourceOutcome = { kind: "absent" };
const identified = (subject: string): SourceOutcome => ({ kind: "identified", identity: person(subject) });
const rejected: SourceOutcome = { kind: "rejected", reason: "api_key_unknown", scheme: "ApiKey", detail: "nope" };

describe("identify", () => {
  it("is anonymous when no source finds its credential", async () => {
    const a = scripted("a", absent);
    const b = scripted("b", absent);
    expect(await identify([a.source, b.source], REQ, T0)).toEqual({ kind: "anonymous", identity: ANONYMOUS });
    expect([a.calls, b.calls]).toEqual([[T0], [T0]]);
  });

  it("is anonymous with no sources configured", async () => {
    expect(await identify([], REQ, T0)).toMatchObject({ kind: "anonymous" });
  });

  it("lets the first source with a credential decide, in configured order", async () => {
    const a = scripted("a", absent);
    const b = scripted("b", identified("bob"));
    const c = scripted("c", identified("carol"));
    expect(await identify([a.source, b.source, c.source], REQ, T0)).toEqual({
      kind: "identified",
      identity: person("bob"),
      source: "b",
    });
    expect(c.calls).toEqual([]);
  });

  it("never falls through from a rejected credential to a later source or to anonymous", async () => {
    const a = scripted("keys", rejected, "ApiKey");
    const b = scripted("jwt", identified("bob"));
    const outcome = await identify([a.source, b.source], REQ, T0);
    expect(outcome).toEqual({
      kind: "rejected",
      reason: "api_key_unknown",
      scheme: "ApiKey",
      detail: "nope",
      source: "keys",
      challenge: 'ApiKey realm="modelgate", error="invalid_token", error_description="api_key_unknown", Bearer realm="modelgate"',
    });
    expect(b.calls).toEqual([]);
  });

  it("awaits asynchronous sources", async () => {
    const slow: IdentitySource = {
      name: "jwt",
      scheme: "Bearer",
      credentialHeaders: ["authorization"],
      identify: async () => identified("dana"),
    };
    const outcome = identify([slow], REQ, T0);
    expect(outcome).toBeInstanceOf(Promise);
    expect(await outcome).toMatchObject({ kind: "identified", source: "jwt" });
  });

  it("answers at once, without a promise, when no source has to wait", () => {
    const a = scripted("a", absent);
    const b = scripted("b", identified("bob"));
    expect(identify([a.source, b.source], REQ, T0)).toEqual({ kind: "identified", identity: person("bob"), source: "b" });
    expect(identify([a.source], REQ, T0)).toEqual({ kind: "anonymous", identity: ANONYMOUS });
  });

  it("goes on to the next source after an asynchronous source found no credential", async () => {
    const waiting: IdentitySource = { ...scripted("jwt", absent).source, identify: async () => absent };
    const b = scripted("b", identified("bob"));
    expect(await identify([waiting, b.source], REQ, T0)).toEqual({ kind: "identified", identity: person("bob"), source: "b" });
    expect(b.calls).toEqual([T0]);
  });

  it("works end to end with the API key source", async () => {
    const alice = mintFrom("alice");
    const { index } = buildKeyIndex([recordOf(alice.key, { subject: "alice" })]);
    const keys = apiKeySource({ keys: () => index });
    const jwt = scripted("jwt", identified("from-jwt"));
    const withKey = await identify([keys, jwt.source], requestWith({ "x-api-key": alice.key }), T0);
    expect(withKey).toMatchObject({ kind: "identified", source: "apikey", identity: { subject: "alice" } });
    const badKey = await identify([keys, jwt.source], requestWith({ "x-api-key": "mgk_bad" }), T0);
    expect(badKey).toMatchObject({ kind: "rejected", reason: "api_key_malformed", source: "apikey" });
    const noKey = await identify([keys, jwt.source], requestWith({ authorization: "Bearer eyJ.x.y" }), T0);
    expect(noKey).toMatchObject({ kind: "identified", source: "jwt" });
    expect(jwt.calls).toHaveLength(1);
  });
});

describe("challengeFor", () => {
  const apiKey = { scheme: "ApiKey" };
  const bearer = { scheme: "Bearer" };

  it.each<[string, { scheme: string }[], Parameters<typeof challengeFor>[1], string]>([
    ["one source", [apiKey], {}, 'ApiKey realm="modelgate"'],
    ["two schemes in order", [bearer, apiKey], {}, 'Bearer realm="modelgate", ApiKey realm="modelgate"'],
    ["a repeated scheme once", [apiKey, apiKey], {}, 'ApiKey realm="modelgate"'],
    ["a custom realm", [apiKey], { realm: "ml-prod" }, 'ApiKey realm="ml-prod"'],
    [
      "a rejected credential, first and with RFC 6750 parameters",
      [apiKey],
      { rejected: { scheme: "Bearer", reason: "api_key_expired" } },
      'Bearer realm="modelgate", error="invalid_token", error_description="api_key_expired", ApiKey realm="modelgate"',
    ],
    ["no sources", [], {}, ""],
    ["an invalid scheme dropped", [{ scheme: "Api Key" }, apiKey], {}, 'ApiKey realm="modelgate"'],
    ["a realm with quotes and a backslash escaped", [apiKey], { realm: 'a"b\\c' }, 'ApiKey realm="a\\"b\\\\c"'],
    ["a realm with CR/LF neutralised", [apiKey], { realm: "a\r\nSet-Cookie: x" }, 'ApiKey realm="a\ufffd\ufffdSet-Cookie: x"'],
  ])("renders %s", (_name, sources, options, expected) => {
    expect(challengeFor(sources, options)).toBe(expected);
  });

  it("never emits CR, LF, NUL or an unescaped quote inside a quoted value", () => {
    const text = fc.string({ unit: "binary", maxLength: 80 });
    fc.assert(
      fc.property(text, (realm) => {
        const value = challengeFor([apiKey], { realm });
        expect(value).not.toMatch(/[\r\n\0]/);
        // The whole value is: ApiKey realm="<quoted-string>" with every " or \ inside escaped.
        expect(value).toMatch(/^ApiKey realm="(?:[^"\\]|\\.)*"$/s);
      }),
      { numRuns: 1000 },
    );
  });
});
