// Who a rule's subjects let in, when that is "anyone of a kind" rather than named callers. Used
// only by the policy analysis (broad-grants.ts) to warn; evaluation never reads it.
import type { AuthMethod } from "../identity/identity.ts";
import type { SubjectMatcher } from "./subject.ts";

// Broadest first. "everyone" includes anonymous callers (`{}`, or `method: anonymous`, which
// anyone can be by sending no credential); "authenticated" is any caller with an identity
// (`subject: "*"`); a method is any caller of that method (`method: apikey`: every key holder).
export type Audience =
  { readonly kind: "everyone" } | { readonly kind: "authenticated" } | { readonly kind: "method"; readonly method: AuthMethod };

const ALL_STARS = /^\*+$/;

export function broadestAudience(subjects: readonly SubjectMatcher[]): Audience | undefined {
  const audiences = subjects.map(audienceOf).filter((a) => a !== undefined);
  return audiences.find((a) => a.kind === "everyone") ?? audiences.find((a) => a.kind === "authenticated") ?? audiences[0];
}

function audienceOf(s: SubjectMatcher): Audience | undefined {
  if (s.issuer !== undefined || s.spiffe !== undefined || s.groups !== undefined || s.attributes !== undefined) return undefined;
  if (s.subject !== undefined && !ALL_STARS.test(s.subject)) return undefined;
  if (s.method === "anonymous" || (s.method === undefined && s.subject === undefined)) return { kind: "everyone" };
  if (s.method === undefined) return { kind: "authenticated" };
  return { kind: "method", method: s.method };
}

export function audienceText(audience: Audience): string {
  switch (audience.kind) {
    case "everyone":
      return "everyone, anonymous callers included";
    case "authenticated":
      return "every authenticated caller";
    case "method":
      return `every ${audience.method} caller`;
  }
}
