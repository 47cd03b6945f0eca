import { fieldPath, optionalField, readList, readObject, readString, rejectUnknownKeys, type Issues } from "../core/parse/fields.ts";
import { ATTRIBUTE_NAME, ATTRIBUTE_NAME_TEXT } from "../core/policy/names.ts";
import { parseClaimPath, type ClaimPath } from "../core/identity/jwt/claim-path.ts";
import { JWT_DEFAULTS, type ClaimMapping } from "../core/identity/jwt/jwt-config.ts";

// `claims:` of one issuer: which claim becomes the subject, the groups and each attribute.
//   claims:
//     subject: sub                          # default sub
//     groups: [groups, realm_access.roles]  # one path or a list; default [groups]
//     attributes: { team: ext.team, org: '["https://example.com/org"]' }

const MAX_ATTRIBUTES = 64;

export function parseClaimMapping(value: unknown, path: string, issues: Issues): ClaimMapping | undefined {
  const obj = value === undefined ? {} : readObject(value, path, issues);
  if (obj === undefined) return undefined;
  rejectUnknownKeys(obj, ["subject", "groups", "attributes"], path, issues);
  const before = issues.length;
  const subject = optionalField(obj, "subject", path, issues, readClaimPath) ?? defaultPath(JWT_DEFAULTS.subjectClaim);
  const groups = optionalField(obj, "groups", path, issues, readPathList) ?? JWT_DEFAULTS.groupsClaims.map(defaultPath);
  const attributes = optionalField(obj, "attributes", path, issues, readAttributes) ?? new Map<string, ClaimPath>();
  if (issues.length !== before) return undefined;
  return Object.freeze({ subject, groups: Object.freeze([...groups]), attributes });
}

export function readClaimPath(value: unknown, path: string, issues: Issues): ClaimPath | undefined {
  const text = readString(value, path, issues);
  if (text === undefined) return undefined;
  const parsed = parseClaimPath(text);
  if (parsed.ok) return parsed.value;
  issues.push({ path, message: `claim path ${JSON.stringify(text.slice(0, 80))}: ${parsed.error}` });
  return undefined;
}

function readPathList(value: unknown, path: string, issues: Issues): readonly ClaimPath[] | undefined {
  if (typeof value === "string") {
    const single = readClaimPath(value, path, issues);
    return single === undefined ? undefined : [single];
  }
  return readList(value, 0, path, issues, (element, elementPath) => readClaimPath(element, elementPath, issues));
}

function readAttributes(value: unknown, path: string, issues: Issues): ReadonlyMap<string, ClaimPath> | undefined {
  const obj = readObject(value, path, issues);
  if (obj === undefined) return undefined;
  const names = Object.keys(obj);
  if (names.length > MAX_ATTRIBUTES) issues.push({ path, message: `must map at most ${MAX_ATTRIBUTES} attributes` });
  const out = new Map<string, ClaimPath>();
  for (const name of names) {
    const at = fieldPath(path, name);
    if (!ATTRIBUTE_NAME.test(name)) issues.push({ path: at, message: `attribute name must be ${ATTRIBUTE_NAME_TEXT}` });
    const claim = readClaimPath(obj[name], at, issues);
    if (claim !== undefined) out.set(name, claim);
  }
  return out;
}

function defaultPath(text: string): ClaimPath {
  const parsed = parseClaimPath(text);
  if (!parsed.ok) throw new Error(`bug: default claim path ${text} does not parse`);
  return parsed.value;
}
