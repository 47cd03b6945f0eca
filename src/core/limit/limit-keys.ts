import { createHash } from "node:crypto";
import type { Identity } from "../identity.ts";
import type { LimitSpec, PolicyRef } from "../policy/types.ts";

// Counter keys never hold an identity in clear: the identity part is a truncated SHA-256,
// wrapped in {…} so every key of one identity lands in one Redis Cluster slot.

export interface KeyContext {
  readonly identity: Identity;
  readonly model: string;
  readonly sourceAddress: string;
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 22);
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

// The identity-ish part a limit is partitioned by; undefined when the partition value is missing
// (e.g. `by: attribute:org` for a caller without an org), in which case the identity is used.
function partition(limit: LimitSpec, ctx: KeyContext): string {
  switch (limit.by.kind) {
    case "identity":
      return `i:${identityText(ctx.identity)}`;
    case "identity-model":
      return `im:${identityText(ctx.identity)}\u0000${ctx.model}`;
    case "attribute": {
      const value = attributeText(ctx.identity, limit.by.name);
      return value === undefined ? `i:${identityText(ctx.identity)}` : `a:${limit.by.name}\u0000${value}`;
    }
    case "source":
      return `s:${sourceHost(ctx.sourceAddress)}`;
  }
}

// `scope` separates counters of different rules/policies that reuse a limit name.
export function limitKey(policy: PolicyRef, scope: string, limit: LimitSpec, ctx: KeyContext): string {
  const where = digest(`${policy.namespace}/${policy.name}/${scope}/${limit.name}`);
  return `mg:rl:{${digest(partition(limit, ctx))}}:${where}`;
}
