import {
  describe,
  fieldPath,
  integerParser,
  optionalField,
  readList,
  readObject,
  rejectUnknownKeys,
  requiredField,
  type Issues,
  type PlainObject,
} from "../core/parse/fields.ts";
import { secondsParser, textParser } from "./jwt-config-fields.ts";
import { readBoolean } from "../core/parse/fields.ts";
import { parseClaimMapping } from "./parse-jwt-claim-mapping.ts";
import {
  ASYMMETRIC_ALGORITHMS,
  DEFAULT_ALGORITHMS,
  isAsymmetricAlgorithm,
  JWT_DEFAULTS,
  type IssuerConfig,
  type JwsAlgorithm,
  type KeyRefresh,
  type KeySource,
} from "../core/identity/jwt/jwt-config.ts";
import { urlProblem } from "../core/identity/jwt/url-policy.ts";

// One entry of `issuers:`. See jwt-config.ts for what each field means.

const ISSUER_KEYS = [
  "issuer",
  "jwksUri",
  "jwksFile",
  "audiences",
  "algorithms",
  "clockToleranceSeconds",
  "typ",
  "requiredClaims",
  "maxTokenAgeSeconds",
  "allowInsecureHttp",
  "claims",
  "keys",
] as const;
const KEYS_KEYS = ["refreshSeconds", "cooldownSeconds", "timeoutSeconds", "maxStaleSeconds"] as const;
const MAX_TEXT = 1024;
const text = textParser(MAX_TEXT);
const claimName = textParser(256);

export function parseIssuerConfig(value: unknown, path: string, issues: Issues): IssuerConfig | undefined {
  const obj = readObject(value, path, issues);
  if (obj === undefined) return undefined;
  const before = issues.length;
  rejectUnknownKeys(obj, ISSUER_KEYS, path, issues);
  const allowInsecureHttp = optionalField(obj, "allowInsecureHttp", path, issues, readBoolean) ?? false;
  const issuer = requiredField(obj, "issuer", path, issues, text);
  const keySource = readKeySource(obj, path, issues, allowInsecureHttp);
  if (issuer !== undefined && keySource?.kind === "discovery") checkUrl(issuer, fieldPath(path, "issuer"), issues, allowInsecureHttp);
  const config = {
    issuer,
    keySource,
    audiences: requiredField(obj, "audiences", path, issues, (v, p, i) => readList(v, 1, p, i, (a, ap) => text(a, ap, i))),
    algorithms: optionalField(obj, "algorithms", path, issues, readAlgorithms) ?? DEFAULT_ALGORITHMS,
    clockToleranceSeconds:
      optionalField(obj, "clockToleranceSeconds", path, issues, integerParser(0, 300)) ?? JWT_DEFAULTS.clockToleranceSeconds,
    typ: optionalField(obj, "typ", path, issues, textParser(128)),
    requiredClaims:
      optionalField(obj, "requiredClaims", path, issues, (v, p, i) => readList(v, 0, p, i, (c, cp) => claimName(c, cp, i))) ??
      JWT_DEFAULTS.requiredClaims,
    maxTokenAgeSeconds: optionalField(obj, "maxTokenAgeSeconds", path, issues, integerParser(1, 31_536_000)),
    allowInsecureHttp,
    claims: parseClaimMapping(obj["claims"], fieldPath(path, "claims"), issues),
    keys: parseKeyRefresh(obj["keys"], fieldPath(path, "keys"), issues),
  };
  if (issues.length !== before) return undefined;
  return Object.freeze(config as IssuerConfig);
}

// At most one of jwksUri / jwksFile; neither means OIDC discovery from the issuer URL.
function readKeySource(obj: PlainObject, path: string, issues: Issues, allowInsecureHttp: boolean): KeySource | undefined {
  const uri = optionalField(obj, "jwksUri", path, issues, text);
  const file = optionalField(obj, "jwksFile", path, issues, text);
  if (uri !== undefined && file !== undefined) {
    issues.push({ path: fieldPath(path, "jwksFile"), message: "set jwksUri or jwksFile, not both" });
    return undefined;
  }
  if (uri !== undefined) {
    checkUrl(uri, fieldPath(path, "jwksUri"), issues, allowInsecureHttp);
    return { kind: "jwksUri", uri };
  }
  return file === undefined ? { kind: "discovery" } : { kind: "jwksFile", path: file };
}

function checkUrl(url: string, path: string, issues: Issues, allowInsecureHttp: boolean): void {
  const problem = urlProblem(url, allowInsecureHttp);
  if (problem !== undefined) issues.push({ path, message: problem });
}

function readAlgorithms(value: unknown, path: string, issues: Issues): readonly JwsAlgorithm[] | undefined {
  return readList(value, 1, path, issues, (element, elementPath) => {
    if (typeof element === "string" && isAsymmetricAlgorithm(element)) return element;
    const why =
      typeof element === "string" && /^(HS\d+|none)$/i.test(element)
        ? `${element} is never allowed: a symmetric or absent signature can be forged with the issuer's public key`
        : `expected one of ${ASYMMETRIC_ALGORITHMS.join(", ")}, got ${describe(element)}`;
    issues.push({ path: elementPath, message: why });
    return undefined;
  });
}

function parseKeyRefresh(value: unknown, path: string, issues: Issues): KeyRefresh | undefined {
  const obj = value === undefined ? {} : readObject(value, path, issues);
  if (obj === undefined) return undefined;
  rejectUnknownKeys(obj, KEYS_KEYS, path, issues);
  const before = issues.length;
  const refresh: KeyRefresh = {
    refreshSeconds: optionalField(obj, "refreshSeconds", path, issues, secondsParser(1, 86_400)) ?? JWT_DEFAULTS.refreshSeconds,
    cooldownSeconds: optionalField(obj, "cooldownSeconds", path, issues, secondsParser(0.1, 3600)) ?? JWT_DEFAULTS.cooldownSeconds,
    timeoutSeconds: optionalField(obj, "timeoutSeconds", path, issues, secondsParser(0.05, 60)) ?? JWT_DEFAULTS.timeoutSeconds,
    maxStaleSeconds: optionalField(obj, "maxStaleSeconds", path, issues, secondsParser(1, 30 * 86_400)) ?? JWT_DEFAULTS.maxStaleSeconds,
  };
  return issues.length === before ? Object.freeze(refresh) : undefined;
}
