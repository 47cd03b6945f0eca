import { err, ok, type Issue, type Result } from "../core/result.ts";
import { at, integerParser, isPlainObject, optionalField, rejectUnknownKeys } from "../core/parse/fields.ts";
import { DEFAULT_MTLS_CONFIG, type MtlsConfig } from "../core/identity/mtls/mtls-config.ts";
import { MTLS_ATTRIBUTES, type BuiltInAttribute } from "../core/identity/mtls/peer-identity.ts";
import { isTrustDomain } from "../core/identity/mtls/spiffe-id.ts";
import type { XfccMode, XfccTrust } from "../core/identity/mtls/xfcc-trust.ts";

// `identity.mtls` in the configuration file (the keys are listed with MtlsConfig).

const FIELDS = ["caFile", "trustDomains", "attributes", "xfcc", "cacheSize"];
const XFCC_FIELDS = ["mode", "trustedHops", "maxBytes"];
const MODES: readonly XfccMode[] = ["ignore", "sanitize-set", "append"];
const ATTRIBUTE_NAME = /^[a-z][a-z0-9_.-]{0,62}$/;

export function parseMtlsConfig(raw: unknown, path: string): Result<MtlsConfig, Issue[]> {
  if (raw === undefined || raw === null) return ok(DEFAULT_MTLS_CONFIG);
  if (!isPlainObject(raw)) return err([{ path, message: "must be a mapping" }]);
  const issues: Issue[] = [];
  rejectUnknownKeys(raw, FIELDS, path, issues);
  const caFile = raw["caFile"];
  if (caFile !== undefined && (typeof caFile !== "string" || caFile === "")) {
    issues.push({ path: at(path, "caFile"), message: "must be a file path" });
  }
  const config: MtlsConfig = {
    caFile: typeof caFile === "string" && caFile !== "" ? caFile : undefined,
    trustDomains: Object.freeze(readTrustDomains(raw["trustDomains"], at(path, "trustDomains"), issues)),
    attributes: Object.freeze(readAttributeMap(raw["attributes"], at(path, "attributes"), issues)),
    xfcc: Object.freeze(readXfcc(raw["xfcc"], at(path, "xfcc"), issues)),
    cacheSize: optionalField(raw, "cacheSize", path, issues, integerParser(1, 1_000_000)) ?? DEFAULT_MTLS_CONFIG.cacheSize,
  };
  return issues.length > 0 ? err(issues) : ok(Object.freeze(config));
}

function readTrustDomains(value: unknown, path: string, issues: Issue[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.push({ path, message: "must be a list of SPIFFE trust domains, e.g. [cluster.local]" });
    return [];
  }
  value.forEach((item: unknown, i) => {
    if (typeof item !== "string" || !isTrustDomain(item)) {
      issues.push({ path: at(path, i), message: "must be a trust domain: 1-255 characters of a-z, 0-9, '.', '_', '-'" });
    }
  });
  return value.filter((item): item is string => typeof item === "string");
}

function readAttributeMap(value: unknown, path: string, issues: Issue[]): Record<string, BuiltInAttribute> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    issues.push({ path, message: "must map attribute names to built-in attributes, e.g. { team: subject_ou }" });
    return {};
  }
  const out: Record<string, BuiltInAttribute> = Object.create(null) as Record<string, BuiltInAttribute>;
  const builtIn: readonly string[] = MTLS_ATTRIBUTES;
  for (const [name, from] of Object.entries(value)) {
    if (!ATTRIBUTE_NAME.test(name))
      issues.push({ path: at(path, name), message: "attribute names match [a-z][a-z0-9_.-]* (at most 63 characters)" });
    else if (builtIn.includes(name)) issues.push({ path: at(path, name), message: "is a built-in attribute and cannot be redefined" });
    else if (typeof from !== "string" || !builtIn.includes(from)) {
      issues.push({ path: at(path, name), message: `must name a built-in attribute: ${MTLS_ATTRIBUTES.join(", ")}` });
    } else out[name] = from as BuiltInAttribute;
  }
  return out;
}

function readXfcc(value: unknown, path: string, issues: Issue[]): XfccTrust {
  const defaults = DEFAULT_MTLS_CONFIG.xfcc;
  if (value === undefined) return defaults;
  if (!isPlainObject(value)) {
    issues.push({ path, message: "must be a mapping with mode (ignore | sanitize-set | append)" });
    return defaults;
  }
  rejectUnknownKeys(value, XFCC_FIELDS, path, issues);
  const mode = value["mode"] ?? defaults.mode;
  if (typeof mode !== "string" || !(MODES as readonly string[]).includes(mode)) {
    issues.push({ path: at(path, "mode"), message: `must be one of ${MODES.join(", ")}` });
  }
  if (value["trustedHops"] !== undefined && mode !== "append") {
    issues.push({ path: at(path, "trustedHops"), message: "applies only to mode: append" });
  }
  return {
    mode: (MODES as readonly unknown[]).includes(mode) ? (mode as XfccMode) : defaults.mode,
    trustedHops: optionalField(value, "trustedHops", path, issues, integerParser(1, 16)) ?? defaults.trustedHops,
    maxBytes: optionalField(value, "maxBytes", path, issues, integerParser(1024, 1024 * 1024)) ?? defaults.maxBytes,
  };
}
