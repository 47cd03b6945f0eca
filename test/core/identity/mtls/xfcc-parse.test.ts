import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseXfcc } from "../../../../src/core/identity/mtls/xfcc-parse.ts";
import type { XfccElement } from "../../../../src/core/identity/mtls/xfcc-parse.ts";

// The x-forwarded-client-cert grammar. Rows 1–3 are the examples in Envoy's documentation
// (envoyproxy/envoy docs/root/configuration/http/http_conn_man/headers.rst, "x-forwarded-client-cert").

const HASH_A = "468ed33be74eee6556d90c0149c1309e9ba61d6425303443c0748a02dd8de688";
const HASH_B = "9ba61d6425303443c0748a02dd8de688468ed33be74eee6556d90c0149c1309e";
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";

function element(overrides: Partial<XfccElement>): XfccElement {
  return { by: [], hash: undefined, cert: undefined, chain: undefined, subject: undefined, uris: [], dns: [], ...overrides };
}

const LYFT = { by: ["http://frontend.lyft.com"], hash: HASH_A };
const LYFT_SUBJECT = "/C=US/ST=CA/L=San Francisco/OU=Lyft/CN=Test Client";

describe("parseXfcc: valid headers", () => {
  it.each<[string, string, XfccElement[]]>([
    [
      "Envoy doc 1: one client, URI SAN",
      `By=http://frontend.lyft.com;Hash=${HASH_A};Subject="${LYFT_SUBJECT}";URI=http://testclient.lyft.com`,
      [element({ ...LYFT, subject: LYFT_SUBJECT, uris: ["http://testclient.lyft.com"] })],
    ],
    [
      "Envoy doc 2: two elements, one per hop",
      `By=http://frontend.lyft.com;Hash=${HASH_A};URI=http://testclient.lyft.com,By=http://backend.lyft.com;Hash=${HASH_B};URI=http://frontend.lyft.com`,
      [
        element({ ...LYFT, uris: ["http://testclient.lyft.com"] }),
        element({ by: ["http://backend.lyft.com"], hash: HASH_B, uris: ["http://frontend.lyft.com"] }),
      ],
    ],
    [
      "Envoy doc 3: URI and repeated DNS",
      `By=http://frontend.lyft.com;Hash=${HASH_A};Subject="${LYFT_SUBJECT}";URI=http://testclient.lyft.com;DNS=lyft.com;DNS=www.lyft.com`,
      [element({ ...LYFT, subject: LYFT_SUBJECT, uris: ["http://testclient.lyft.com"], dns: ["lyft.com", "www.lyft.com"] })],
    ],
    [
      "RFC 2253 subject: commas, semicolons and equals inside quotes",
      `Hash=${HASH_A};Subject="CN=scorer,OU=a;b,O=acme=1";URI=spiffe://cluster.local/ns/batch/sa/scorer`,
      [element({ hash: HASH_A, subject: "CN=scorer,OU=a;b,O=acme=1", uris: ["spiffe://cluster.local/ns/batch/sa/scorer"] })],
    ],
    ["escaped quotes and backslashes", String.raw`Subject="CN=\"quoted\" \\ name"`, [element({ subject: String.raw`CN="quoted" \ name` })]],
    [
      "repeated URI and By",
      "By=spiffe://a/x;By=spiffe://a/y;URI=spiffe://td/one;URI=spiffe://td/two",
      [element({ by: ["spiffe://a/x", "spiffe://a/y"], uris: ["spiffe://td/one", "spiffe://td/two"] })],
    ],
    [
      "keys are case-insensitive, hash is lower-cased",
      `hash=${HASH_A.toUpperCase()};uri=u:1;dNs=d`,
      [element({ hash: HASH_A, uris: ["u:1"], dns: ["d"] })],
    ],
    ["Envoy's empty URI= when the certificate has none", `Hash=${HASH_A};Subject="";URI=`, [element({ hash: HASH_A, subject: "" })]],
    [
      "Cert: URL-encoded PEM, Envoy style (%20, %0a)",
      `Cert="${PEM.replaceAll(" ", "%20").replaceAll("\n", "%0a")}"`,
      [element({ cert: PEM })],
    ],
    [
      "Cert and Chain: encodeURIComponent style, unquoted",
      `Cert=${encodeURIComponent(PEM)};Chain=${encodeURIComponent(PEM + PEM)}`,
      [element({ cert: PEM, chain: PEM + PEM })],
    ],
    ["unknown keys are ignored", 'Foo=bar;URI=spiffe://td/w;X-Other="a,b"', [element({ uris: ["spiffe://td/w"] })]],
    [
      "optional whitespace around separators",
      ` URI=u:1 ; DNS=d , DNS=e `,
      [element({ uris: ["u:1"], dns: ["d"] }), element({ dns: ["e"] })],
    ],
    ["an unquoted value may contain '='", "URI=https://x.example/?a=b", [element({ uris: ["https://x.example/?a=b"] })]],
  ])("%s", (_name, header, expected) => {
    const parsed = parseXfcc(header);
    expect(parsed).toEqual({ ok: true, value: expected });
  });
});

describe("parseXfcc: malformed headers", () => {
  it.each<[string, string, RegExp]>([
    ["empty header", "", /expected a key at offset 0/],
    ["empty element between commas", "URI=a,,URI=b", /expected a key/],
    ["trailing comma", "URI=a,", /expected a key/],
    ["empty pair", "URI=a;;DNS=b", /expected a key/],
    ["trailing semicolon", "URI=a;", /expected a key/],
    ["pair without =", "URI", /expected "="/],
    ["space before =", "URI =a", /expected "="/],
    ["unterminated quote", 'Subject="CN=a,URI=b', /unterminated/],
    ["backslash at the end of a quoted value", 'Subject="a\\', /unterminated/],
    ["text after the closing quote", 'Subject="a"b;URI=c', /expected "," or ";"/],
    ["quote inside an unquoted value", 'URI=a"b"', /unexpected quote/],
    ["control character", "URI=a\nDNS=b", /control character/],
    ["control character in quotes", 'Subject="a\u0000b"', /control character/],
    ["repeated Hash", `Hash=${HASH_A};Hash=${HASH_B}`, /repeated hash/],
    ["repeated Cert", `Cert=a;cert=b`, /repeated cert/],
    ["repeated Subject", 'Subject="a";Subject="b"', /repeated subject/],
    ["Hash not 64 hex digits", "Hash=abc", /Hash is not 64/],
    ["Cert with a broken percent-escape", "Cert=%zz", /Cert is not URL-encoded PEM/],
    ["Chain that is not UTF-8 once decoded", "Chain=%ff%fe", /Chain is not URL-encoded PEM/],
    ["key with a forbidden character", "U.RI=a", /expected "="/],
    ["too many elements", Array.from({ length: 65 }, () => "URI=a").join(","), /more than 64 elements/],
  ])("%s", (_name, header, message) => {
    const parsed = parseXfcc(header);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });

  it("rejects a 100 KB header by its size before scanning it", () => {
    const header = `URI=${"a".repeat(100 * 1024)}`;
    const started = performance.now();
    const parsed = parseXfcc(header, 32 * 1024);
    expect(parsed).toEqual({ ok: false, error: "the header is longer than 32768 bytes" });
    expect(performance.now() - started).toBeLessThan(50); // generous: the check is a length comparison
  });

  it("parses a pathological header at the size limit in linear time", () => {
    const header = `Subject="${'\\"'.repeat(16 * 1024 - 8)}"`;
    const parsed = parseXfcc(header, 64 * 1024);
    expect(parsed.ok && parsed.value[0]?.subject?.length).toBe(16 * 1024 - 8);
  });
});

// Serialises elements the way a conforming proxy would: values that need it quoted and escaped.
function serialise(elements: readonly (readonly (readonly [string, string])[])[]): string {
  const value = (v: string) => (/^[^,;"\\\s]*$/.test(v) ? v : `"${v.replace(/["\\]/g, "\\$&")}"`);
  return elements.map((pairs) => pairs.map(([k, v]) => `${k}=${value(v)}`).join(";")).join(",");
}

const valueText = fc.string({ unit: fc.constantFrom(...'ab=,;"\\ /:%'), maxLength: 12 });
const pairArb = fc.tuple(fc.constantFrom("By", "URI", "DNS", "X-Unknown"), valueText);
// Subject may appear once per element; the other keys repeat freely.
const elementArb = fc
  .tuple(fc.array(pairArb, { maxLength: 4 }), fc.option(valueText))
  .map(([pairs, subject]) => (subject === null ? pairs : [...pairs, ["Subject", subject] as const]))
  .filter((pairs) => pairs.length > 0);
const headerArb = fc.array(elementArb, { minLength: 1, maxLength: 4 });

describe("parseXfcc properties", () => {
  it("never throws, whatever the input", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'URIDNS=,;"\\ \t%a\u0000é'), maxLength: 200 }), (text) => {
        const parsed = parseXfcc(text);
        expect(typeof parsed.ok).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
  });

  it("reads back what a conforming proxy wrote", () => {
    fc.assert(
      fc.property(headerArb, (elements) => {
        const parsed = parseXfcc(serialise(elements));
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.value).toHaveLength(elements.length);
        elements.forEach((pairs, i) => {
          const got = parsed.value[i];
          const values = (key: string) =>
            pairs
              .filter(([k]) => k === key)
              .map(([, v]) => v)
              .filter((v) => v !== "");
          expect(got?.uris).toEqual(values("URI"));
          expect(got?.dns).toEqual(values("DNS"));
          expect(got?.by).toEqual(values("By"));
          expect(got?.subject).toEqual(pairs.find(([k]) => k === "Subject")?.[1]);
        });
      }),
      { numRuns: 500 },
    );
  });

  it("treats a stray quote at the end, or an empty first element, as malformed", () => {
    fc.assert(
      fc.property(
        headerArb,
        fc.constantFrom(
          (h: string) => `${h}"`,
          (h: string) => `,${h}`,
          (h: string) => `${h};`,
        ),
        (elements, corrupt) => {
          expect(parseXfcc(corrupt(serialise(elements))).ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
