import { describe, expect, it } from "vitest";
import { isSpiffeUri, parseSpiffeId } from "../../../../src/core/identity/mtls/spiffe-id.ts";

// SPIFFE ID rules from the SPIFFE-ID specification §2, for workload identities.

describe("parseSpiffeId", () => {
  it.each<[string, string, string[], string | undefined, string | undefined]>([
    ["spiffe://cluster.local/ns/batch/sa/scorer", "cluster.local", ["ns", "batch", "sa", "scorer"], "batch", "scorer"],
    ["spiffe://prod.example.com/payments/api", "prod.example.com", ["payments", "api"], undefined, undefined],
    ["spiffe://td/ns/a/sa/b/extra", "td", ["ns", "a", "sa", "b", "extra"], undefined, undefined],
    ["spiffe://td/ns/a/sb/b", "td", ["ns", "a", "sb", "b"], undefined, undefined],
    ["spiffe://a_b-c.9/Upper.Case_ok-1", "a_b-c.9", ["Upper.Case_ok-1"], undefined, undefined],
  ])("accepts %s", (text, trustDomain, segments, namespace, serviceAccount) => {
    expect(parseSpiffeId(text)).toEqual({ ok: true, value: { id: text, trustDomain, segments, namespace, serviceAccount } });
  });

  it.each<[string, string, RegExp]>([
    ["upper-case scheme", "SPIFFE://td/w", /starts with "spiffe:\/\/"/],
    ["another scheme", "https://td/w", /starts with/],
    ["upper-case trust domain", "spiffe://TD/w", /trust domain/],
    ["port", "spiffe://td:443/w", /trust domain/],
    ["userinfo", "spiffe://user@td/w", /trust domain/],
    ["empty trust domain", "spiffe:///w", /trust domain/],
    ["trust domain ID only", "spiffe://td", /has a path/],
    ["trailing slash only", "spiffe://td/", /has a path/],
    ["empty segment", "spiffe://td/a//b", /non-empty/],
    ["trailing slash", "spiffe://td/a/", /non-empty/],
    ["dot segment", "spiffe://td/a/./b", /"\."/],
    ["dot-dot segment", "spiffe://td/a/../b", /"\."/],
    ["percent-encoding", "spiffe://td/a%2Fb", /non-empty and contain only/],
    ["query", "spiffe://td/a?x=1", /non-empty and contain only/],
    ["fragment", "spiffe://td/a#f", /non-empty and contain only/],
    ["too long", `spiffe://td/${"a".repeat(2048)}`, /at most 2048/],
  ])("rejects %s", (_name, text, message) => {
    const parsed = parseSpiffeId(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });

  it.each([
    ["spiffe://td/w", true],
    ["SPIFFE://td/w", true],
    ["Spiffe:/x", false],
    ["https://td/w", false],
    ["", false],
  ])("isSpiffeUri(%j) is %s", (uri, expected) => {
    expect(isSpiffeUri(uri)).toBe(expected);
  });
});
