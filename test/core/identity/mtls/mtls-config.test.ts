import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { DEFAULT_MTLS_CONFIG } from "../../../../src/core/identity/mtls/mtls-config.ts";
import { parseMtlsConfig } from "../../../../src/config/parse-mtls.ts";

// One fixture per mistake; each must be reported at its path with a useful message.

const ROOT = join(import.meta.dirname, "fixtures");
const load = (dir: string, file: string): unknown => (parse(readFileSync(join(ROOT, dir, file), "utf8")) as { mtls: unknown }).mtls;

const INVALID: Readonly<Record<string, readonly [string, string]>> = {
  "unknown-key.yaml": ["identity.mtls.caBundle", "unknown field"],
  "ca-file-empty.yaml": ["identity.mtls.caFile", "must be a file path"],
  "trust-domains-not-a-list.yaml": ["identity.mtls.trustDomains", "must be a list"],
  "trust-domain-uppercase.yaml": ["identity.mtls.trustDomains[0]", "must be a trust domain"],
  "trust-domain-with-scheme.yaml": ["identity.mtls.trustDomains[0]", "must be a trust domain"],
  "attribute-from-unknown-field.yaml": ["identity.mtls.attributes.team", "must name a built-in attribute"],
  "attribute-redefines-built-in.yaml": ["identity.mtls.attributes.spiffe_id", "cannot be redefined"],
  "attribute-name-uppercase.yaml": ["identity.mtls.attributes.Team", "attribute names match"],
  "xfcc-mode-misspelled.yaml": ["identity.mtls.xfcc.mode", "must be one of ignore, sanitize-set, append"],
  "xfcc-trusted-hops-without-append.yaml": ["identity.mtls.xfcc.trustedHops", "applies only to mode: append"],
  "xfcc-trusted-hops-zero.yaml": ["identity.mtls.xfcc.trustedHops", "must be between 1 and 16, got 0"],
  "xfcc-max-bytes-too-small.yaml": ["identity.mtls.xfcc.maxBytes", "must be between 1024 and 1048576, got 512"],
  "xfcc-max-bytes-fraction.yaml": ["identity.mtls.xfcc.maxBytes", "expected an integer, got number 4096.5"],
  "xfcc-unknown-key.yaml": ["identity.mtls.xfcc.forward_client_cert_details", "unknown field"],
  "cache-size-negative.yaml": ["identity.mtls.cacheSize", "must be between 1 and 1000000, got -1"],
  "cache-size-quoted.yaml": ["identity.mtls.cacheSize", 'expected an integer, got the string "256"'],
  "not-a-mapping.yaml": ["identity.mtls", "must be a mapping"],
};

describe("parseMtlsConfig", () => {
  const files = readdirSync(join(ROOT, "config-invalid"))
    .filter((f) => f.endsWith(".yaml"))
    .sort();

  it("has an expectation for every invalid fixture", () => {
    expect(files).toEqual(Object.keys(INVALID).sort());
  });

  it.each(files)("rejects %s", (file) => {
    const [path, message] = INVALID[file] ?? ["?", "?"];
    const parsed = parseMtlsConfig(load("config-invalid", file), "identity.mtls");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it("reports every problem, not just the first", () => {
    const parsed = parseMtlsConfig({ caFile: 1, trustDomains: ["A"], xfcc: { mode: "x" }, extra: 1 }, "m");
    expect(parsed.ok ? [] : parsed.error.map((i) => i.path).sort()).toEqual(["m.caFile", "m.extra", "m.trustDomains[0]", "m.xfcc.mode"]);
  });

  it("reads the complete example", () => {
    expect(parseMtlsConfig(load("config-valid", "complete.yaml"), "identity.mtls")).toEqual({
      ok: true,
      value: {
        caFile: "ca-bundle.pem",
        trustDomains: ["cluster.local", "prod.example.com"],
        attributes: { team: "subject_ou", org: "subject_o" },
        xfcc: { mode: "append", trustedHops: 2, maxBytes: 65536 },
        cacheSize: 256,
      },
    });
  });

  it.each([
    ["an empty mapping", load("config-valid", "empty.yaml")],
    ["an absent section", undefined],
    ["null", null],
  ])("uses the defaults for %s", (_name, raw) => {
    expect(parseMtlsConfig(raw, "identity.mtls")).toEqual({ ok: true, value: DEFAULT_MTLS_CONFIG });
  });

  it("defaults to ignoring XFCC, no bundle, any trust domain", () => {
    expect(DEFAULT_MTLS_CONFIG).toMatchObject({
      caFile: undefined,
      trustDomains: [],
      xfcc: { mode: "ignore", trustedHops: 1, maxBytes: 32768 },
    });
  });
});
