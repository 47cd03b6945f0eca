import { isAbsolute, resolve } from "node:path";
import { DEFAULT_MTLS_CONFIG, type MtlsConfig } from "../core/identity/mtls/mtls-config.ts";
import { parseMtlsConfig } from "./parse-mtls.ts";
import type { IssuerConfig, JwtConfig } from "../core/identity/jwt/jwt-config.ts";
import { parseJwtConfig } from "./parse-jwt-config.ts";
import type { Issue } from "../core/result.ts";
import { isPlainObject, rejectUnknownKeys, type PlainObject } from "../core/parse/fields.ts";

// `identity:` in the configuration file: which sources run, in which order, and their settings.
//
//   identity:
//     sources: [mtls, apikey]   # precedence order; the first source whose credential is present decides
//     mtls: { … }               # see README "Identity: mTLS client certificates"
//     jwt: { issuers: [ … ] }    # see README "Identity: OIDC / JWT bearer tokens"

export const IDENTITY_SOURCE_NAMES = ["apikey", "mtls", "jwt"] as const;
export type IdentitySourceName = (typeof IDENTITY_SOURCE_NAMES)[number];

export interface IdentityConfig {
  readonly sources: readonly IdentitySourceName[];
  readonly mtls: MtlsConfig; // caFile absolute when set
  readonly jwt: JwtConfig | undefined; // jwksFile paths absolute; required when `jwt` is a source
}

export const DEFAULT_IDENTITY: IdentityConfig = Object.freeze({
  sources: Object.freeze(["apikey"] as const),
  mtls: DEFAULT_MTLS_CONFIG,
  jwt: undefined,
});

const KEYS = ["sources", "mtls", "jwt"];

function parseSources(value: unknown, issues: Issue[]): IdentitySourceName[] {
  if (value === undefined) return [...DEFAULT_IDENTITY.sources];
  const known = IDENTITY_SOURCE_NAMES as readonly unknown[];
  if (!Array.isArray(value) || value.length === 0 || value.some((s) => !known.includes(s))) {
    issues.push({ path: "identity.sources", message: `must be a non-empty list of ${IDENTITY_SOURCE_NAMES.join(", ")}` });
    return [...DEFAULT_IDENTITY.sources];
  }
  if (new Set(value).size !== value.length) issues.push({ path: "identity.sources", message: "lists a source twice" });
  return value as IdentitySourceName[];
}

function parseMtls(value: unknown, baseDir: string, issues: Issue[]): MtlsConfig {
  if (value === undefined) return DEFAULT_MTLS_CONFIG;
  const parsed = parseMtlsConfig(value, "identity.mtls");
  if (!parsed.ok) {
    issues.push(...parsed.error);
    return DEFAULT_MTLS_CONFIG;
  }
  const caFile = parsed.value.caFile;
  return caFile === undefined || isAbsolute(caFile) ? parsed.value : { ...parsed.value, caFile: resolve(baseDir, caFile) };
}

function absoluteKeyFile(issuer: IssuerConfig, baseDir: string): IssuerConfig {
  const source = issuer.keySource;
  if (source.kind !== "jwksFile" || isAbsolute(source.path)) return issuer;
  return { ...issuer, keySource: { kind: "jwksFile", path: resolve(baseDir, source.path) } };
}

function parseJwt(value: unknown, baseDir: string, issues: Issue[]): JwtConfig | undefined {
  if (value === undefined) return undefined;
  const parsed = parseJwtConfig(value, "identity.jwt");
  if (!parsed.ok) {
    issues.push(...parsed.error);
    return undefined;
  }
  return { ...parsed.value, issuers: parsed.value.issuers.map((i) => absoluteKeyFile(i, baseDir)) };
}

// A section without its source (or the reverse) is a configuration mistake worth stopping for.
function checkSectionsMatchSources(value: PlainObject, sources: readonly IdentitySourceName[], issues: Issue[]): void {
  if (value["mtls"] !== undefined && !sources.includes("mtls")) {
    issues.push({ path: "identity.mtls", message: "is configured but `mtls` is not in identity.sources" });
  }
  if (value["jwt"] !== undefined && !sources.includes("jwt")) {
    issues.push({ path: "identity.jwt", message: "is configured but `jwt` is not in identity.sources" });
  }
  if (value["jwt"] === undefined && sources.includes("jwt")) {
    issues.push({ path: "identity.jwt", message: "is required when `jwt` is in identity.sources (it lists the trusted issuers)" });
  }
}

export function parseIdentityConfig(value: unknown, baseDir: string): { config: IdentityConfig; issues: Issue[] } {
  const issues: Issue[] = [];
  if (value === undefined) return { config: DEFAULT_IDENTITY, issues };
  if (!isPlainObject(value)) return { config: DEFAULT_IDENTITY, issues: [{ path: "identity", message: "must be a mapping" }] };
  rejectUnknownKeys(value, KEYS, "identity", issues);
  const sources = parseSources(value["sources"], issues);
  const mtls = parseMtls(value["mtls"], baseDir, issues);
  const jwt = parseJwt(value["jwt"], baseDir, issues);
  checkSectionsMatchSources(value, sources, issues);
  return { config: { sources, mtls, jwt }, issues };
}
