import type { DenyReason } from "../reason.ts";

// One shape for every authentication source, so a policy can match `team: data_science`
// whether it came from a JWT claim, an API key attribute or a certificate.
export type AuthMethod = "apikey" | "jwt" | "mtls" | "anonymous";

export type AttributeValue = string | readonly string[];

export interface Identity {
  readonly method: AuthMethod;
  readonly subject: string; // "" for anonymous
  readonly issuer: string; // jwt issuer, key store name, or CA name; "" when not applicable
  readonly keyId: string; // API key id or JWT kid; never a secret; "" when not applicable
  readonly groups: readonly string[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

export const ANONYMOUS: Identity = Object.freeze({
  method: "anonymous",
  subject: "",
  issuer: "",
  keyId: "",
  groups: Object.freeze([]),
  attributes: Object.freeze({}),
});

// What one source says about a request:
// - absent: this source's credential is not in the request; try the next source;
// - identified: the credential is valid;
// - rejected: a credential was presented and is invalid (a 401; never falls through to anonymous).
export type SourceOutcome =
  | { readonly kind: "absent" }
  | { readonly kind: "identified"; readonly identity: Identity }
  | { readonly kind: "rejected"; readonly reason: DenyReason; readonly scheme: string; readonly detail: string };
