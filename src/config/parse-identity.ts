import { isAbsolute, resolve } from "node:path";
import { DEFAULT_MTLS_CONFIG, parseMtlsConfig, type MtlsConfig } from "../core/identity/mtls/mtls-config.ts";
import type { Issue } from "../core/result.ts";

// `identity:` in the configuration file: which sources run, in which order, and their settings.
//
//   identity:
//     sources: [mtls, apikey]   # precedence order; the first source whose credential is present decides
//     mtls: { … }               # see README "Identity: mTLS client certificates"

export const IDENTITY_SOURCE_NAMES = ["apikey", "mtls"] as const;
export type IdentitySourceName = (typeof IDENTITY_SOURCE_NAMES)[number];

export interface IdentityConfig {
  readonly sources: readonly IdentitySourceName[];
  readonly mtls: MtlsConfig; // caFile absolute when set
}

export const DEFAULT_IDENTITY: IdentityConfig = Object.freeze({ sources: Object.freeze(["apikey"] as const), mtls: DEFAULT_MTLS_CONFIG });

const KEYS = new Set(["sources", "mtls"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

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

export function parseIdentityConfig(value: unknown, baseDir: string): { config: IdentityConfig; issues: Issue[] } {
  const issues: Issue[] = [];
  if (value === undefined) return { config: DEFAULT_IDENTITY, issues };
  if (!isRecord(value)) return { config: DEFAULT_IDENTITY, issues: [{ path: "identity", message: "must be a mapping" }] };
  for (const key of Object.keys(value)) {
    if (!KEYS.has(key)) issues.push({ path: `identity.${key}`, message: "unknown key" });
  }
  const sources = parseSources(value["sources"], issues);
  const mtls = parseMtls(value["mtls"], baseDir, issues);
  if (value["mtls"] !== undefined && !sources.includes("mtls")) {
    issues.push({ path: "identity.mtls", message: "is configured but `mtls` is not in identity.sources" });
  }
  return { config: { sources, mtls }, issues };
}
