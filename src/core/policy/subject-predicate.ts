// Compiles a SubjectMatcher into one predicate over Identity, done once per policy revision so
// the hot path only runs closures.
import type { AttributeValue, Identity } from "../identity/identity.ts";
import { compileWildcard } from "./glob.ts";
import type { StringMatcher } from "./glob.ts";
import { compileSpiffeMatcher } from "./spiffe.ts";
import type { SubjectMatcher } from "./subject.ts";

export type IdentityPredicate = (identity: Identity) => boolean;

// Where certificate-based identity sources put the peer's SPIFFE ID.
export const SPIFFE_ID_ATTRIBUTE = "spiffe_id";

export function isEveryone(matcher: SubjectMatcher): boolean {
  return (
    matcher.method === undefined &&
    matcher.subject === undefined &&
    matcher.issuer === undefined &&
    matcher.spiffe === undefined &&
    matcher.groups === undefined &&
    matcher.attributes === undefined
  );
}

export function compileSubjects(matchers: readonly SubjectMatcher[]): IdentityPredicate {
  if (matchers.some(isEveryone)) return () => true;
  const predicates = matchers.map(compileSubject);
  // Indexed loops: a callback per evaluation would be a closure allocated on every request,
  // and `for…of` an iterator.
  return (identity) => {
    for (let i = 0; i < predicates.length; i++) if ((predicates[i] as IdentityPredicate)(identity)) return true;
    return false;
  };
}

function compileSubject(matcher: SubjectMatcher): IdentityPredicate {
  const checks: IdentityPredicate[] = [];
  const { method, issuer, groups, attributes } = matcher;
  if (method !== undefined) checks.push((id) => id.method === method);
  if (matcher.subject !== undefined) checks.push(subjectCheck(compileWildcard(matcher.subject)));
  if (issuer !== undefined) checks.push((id) => id.issuer === issuer);
  if (matcher.spiffe !== undefined) checks.push(spiffeCheck(compileSpiffeMatcher(matcher.spiffe)));
  if (groups !== undefined) checks.push((id) => id.groups.some((g) => groups.includes(g)));
  if (attributes !== undefined) {
    for (const [name, allowed] of Object.entries(attributes)) checks.push(attributeCheck(name, allowed));
  }
  return (identity) => {
    for (let i = 0; i < checks.length; i++) if (!(checks[i] as IdentityPredicate)(identity)) return false;
    return true;
  };
}

// An empty subject is an anonymous caller; a `subject` pattern, even "*", means "authenticated".
function subjectCheck(match: StringMatcher): IdentityPredicate {
  return (id) => id.subject !== "" && match(id.subject);
}

// Only certificate identities may claim a SPIFFE ID: attributes from JWT claim mappings are
// issuer-controlled and must not impersonate a workload.
function spiffeCheck(match: StringMatcher): IdentityPredicate {
  return (id) => id.method === "mtls" && anyValue(id.attributes[SPIFFE_ID_ATTRIBUTE], match);
}

function attributeCheck(name: string, allowed: readonly string[]): IdentityPredicate {
  const isAllowed = (v: string): boolean => allowed.includes(v);
  return (id) => anyValue(Object.hasOwn(id.attributes, name) ? id.attributes[name] : undefined, isAllowed);
}

function anyValue(value: AttributeValue | undefined, test: (v: string) => boolean): boolean {
  if (value === undefined) return false;
  if (typeof value === "string") return test(value);
  return value.some(test);
}
