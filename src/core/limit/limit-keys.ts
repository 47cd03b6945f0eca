import type { Identity } from "../identity/identity.ts";
import type { LimitCharge } from "./limiter-port.ts";
import type { LimitSpec, PolicyRef } from "../policy/types.ts";
import { sha256Digest, type KeyDigest } from "./key-digest.ts";

// Counter keys never hold an identity in clear: `mg:rl:{<owner digest>}:<where digest>`, both
// truncated SHA-256. The owner part is a Redis Cluster hash tag, so every counter one caller
// owns lands in that caller's slot.

export interface KeyContext {
  readonly identity: Identity;
  readonly model: string;
  readonly sourceAddress: string;
  readonly digest?: KeyDigest; // default: SHA-256 every time; the server passes a memoized one
}

function identityText(identity: Identity): string {
  return `${identity.method}\u0000${identity.issuer}\u0000${identity.subject}`;
}

function attributeText(identity: Identity, name: string): string | undefined {
  const value = identity.attributes[name];
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : [...value].sort().join("\u0000");
}

function sourceHost(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1] !== undefined) return bracketed[1];
  const lastColon = address.lastIndexOf(":");
  return lastColon > 0 && address.indexOf(":") === lastColon ? address.slice(0, lastColon) : address;
}

// Whose counter this is. Identity and identity+model counters belong to the caller, so they
// share the caller's hash tag (and one Cluster slot); a shared counter (an org, a source
// address) must be one key for every caller, so it is tagged by the shared value. A missing
// attribute falls back to the caller's own counter, never a shared one.
function owner(limit: LimitSpec, ctx: KeyContext): string {
  const caller = callerOwner(ctx.identity);
  switch (limit.by.kind) {
    case "identity":
    case "identity-model":
      return caller;
    case "attribute": {
      const value = attributeText(ctx.identity, limit.by.name);
      return value === undefined ? caller : `a:${limit.by.name}\u0000${value}`;
    }
    case "source":
      return `s:${sourceHost(ctx.sourceAddress)}`;
  }
}

function callerOwner(identity: Identity): string {
  return `i:${identityText(identity)}`;
}

// `scope` separates counters of different rules/policies that reuse a limit name.
// One request's keys share a slot unless its limits are owned by different partitions
// (e.g. a per-identity limit plus a per-org cap); the Redis limiter handles that case.
export function limitKey(policy: PolicyRef, scope: string, limit: LimitSpec, ctx: KeyContext): string {
  const digest = ctx.digest ?? sha256Digest;
  const perModel = limit.by.kind === "identity-model" ? `\u0000m:${ctx.model}` : "";
  const where = digest(`${policy.namespace}/${policy.name}/${scope}/${limit.name}${perModel}`);
  return `mg:rl:{${digest(owner(limit, ctx))}}:${where}`;
}

// One limit of a request, keyed, and whether the counter is the caller's alone.
export function limitCharge(policy: PolicyRef, scope: string, limit: LimitSpec, ctx: KeyContext): LimitCharge {
  const callerOwned = owner(limit, ctx) === callerOwner(ctx.identity);
  return { key: limitKey(policy, scope, limit, ctx), limit, callerOwned };
}

// The caller's penalty-box state for one policy, in the caller's own slot.
export function penaltyKey(policy: PolicyRef, ctx: KeyContext): string {
  const digest = ctx.digest ?? sha256Digest;
  return `mg:pb:{${digest(callerOwner(ctx.identity))}}:${digest(`${policy.namespace}/${policy.name}`)}`;
}

// The caller's sanctions (block, lowered limits) across every policy, in the caller's own slot.
export function sanctionKey(identity: Identity, digest: KeyDigest = sha256Digest): string {
  return `mg:sx:{${digest(callerOwner(identity))}}`;
}

// The Redis Cluster hash tag of a key built here: the text between the first `{` and `}`.
export function hashTagOf(key: string): string {
  const open = key.indexOf("{");
  const close = key.indexOf("}", open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}
