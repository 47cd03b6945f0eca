import {
  fieldPath,
  indexPath,
  integerParser,
  type Issues,
  optionalField,
  readList,
  readMapping,
  requiredField,
} from "../core/parse/fields.ts";
import { err, ok, type Issue, type Result } from "../core/result.ts";
import { secondsParser } from "./jwt-config-fields.ts";
import { JWT_DEFAULTS, type IssuerConfig, type JwtConfig, type VerifiedCacheConfig } from "../core/identity/jwt/jwt-config.ts";
import { parseIssuerConfig } from "./parse-jwt-issuer.ts";

// The `identity.jwt` section of the configuration file:
//   jwt:
//     issuers: [ ... ]          # required, at least one (parse-jwt-issuer.ts)
//     maxTokenBytes: 8192
//     maxAudiences: 32
//     maxClaimsDepth: 16
//     cache: { maxEntries: 10000, maxSeconds: 300 }
// Unknown keys are rejected and every problem is reported with its path under `path`.

const TOP_KEYS = ["issuers", "maxTokenBytes", "maxAudiences", "maxClaimsDepth", "cache"] as const;

export function parseJwtConfig(raw: unknown, path: string): Result<JwtConfig, Issue[]> {
  const issues: Issues = [];
  const obj = readMapping(raw, TOP_KEYS, path, issues);
  if (obj === undefined) return err(issues);
  const issuers = requiredField(obj, "issuers", path, issues, (v, p, i) => readList(v, 1, p, i, (e, ep) => parseIssuerConfig(e, ep, i)));
  if (issuers !== undefined) rejectDuplicateIssuers(issuers, fieldPath(path, "issuers"), issues);
  const config: JwtConfig = {
    issuers: issuers ?? [],
    limits: Object.freeze({
      maxTokenBytes: optionalField(obj, "maxTokenBytes", path, issues, integerParser(512, 65_536)) ?? JWT_DEFAULTS.maxTokenBytes,
      maxAudiences: optionalField(obj, "maxAudiences", path, issues, integerParser(1, 1000)) ?? JWT_DEFAULTS.maxAudiences,
      maxClaimsDepth: optionalField(obj, "maxClaimsDepth", path, issues, integerParser(2, 64)) ?? JWT_DEFAULTS.maxClaimsDepth,
    }),
    cache: parseCache(obj["cache"], fieldPath(path, "cache"), issues) ?? defaultCache(),
  };
  return issues.length === 0 ? ok(Object.freeze(config)) : err(issues);
}

// Tokens pick their issuer by `iss`, so two entries for one issuer would be ambiguous.
function rejectDuplicateIssuers(issuers: readonly IssuerConfig[], path: string, issues: Issues): void {
  const seen = new Set<string>();
  issuers.forEach((entry, i) => {
    if (seen.has(entry.issuer))
      issues.push({ path: fieldPath(indexPath(path, i), "issuer"), message: `duplicate issuer ${JSON.stringify(entry.issuer)}` });
    seen.add(entry.issuer);
  });
}

function parseCache(value: unknown, path: string, issues: Issues): VerifiedCacheConfig | undefined {
  if (value === undefined) return undefined;
  const obj = readMapping(value, ["maxEntries", "maxSeconds"], path, issues);
  if (obj === undefined) return undefined;
  return Object.freeze({
    maxEntries: optionalField(obj, "maxEntries", path, issues, integerParser(0, 1_000_000)) ?? JWT_DEFAULTS.cacheMaxEntries,
    maxSeconds: optionalField(obj, "maxSeconds", path, issues, secondsParser(0, 3600)) ?? JWT_DEFAULTS.cacheMaxSeconds,
  });
}

function defaultCache(): VerifiedCacheConfig {
  return Object.freeze({ maxEntries: JWT_DEFAULTS.cacheMaxEntries, maxSeconds: JWT_DEFAULTS.cacheMaxSeconds });
}
