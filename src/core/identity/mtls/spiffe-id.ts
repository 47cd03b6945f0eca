import { err, ok } from "../../result.ts";
import type { Result } from "../../result.ts";

// SPIFFE IDs as the SPIFFE-ID specification (§2) defines them, for workload identities:
//   spiffe://<trust-domain>/<path>
// - scheme exactly "spiffe", no userinfo, port, query or fragment;
// - trust domain: [a-z0-9._-], 1–255 characters (upper case is invalid, not folded);
// - path: one or more segments of [A-Za-z0-9._-], none empty, "." or ".." (no percent-encoding);
// - at most 2048 bytes.
// A bare trust domain ID (no path) names a trust domain, never a workload, so it is refused.

export interface SpiffeId {
  readonly id: string;
  readonly trustDomain: string;
  readonly segments: readonly string[];
  readonly namespace: string | undefined; // Kubernetes convention /ns/<ns>/sa/<sa>
  readonly serviceAccount: string | undefined;
}

const PREFIX = "spiffe://";
const MAX_LENGTH = 2048;
const TRUST_DOMAIN = /^[a-z0-9._-]{1,255}$/;
const SEGMENT = /^[A-Za-z0-9._-]+$/;

// Any spelling of the scheme counts, so "SPIFFE://…" is rejected as invalid rather than being
// treated as some other URI that a policy would then ignore.
export function isSpiffeUri(uri: string): boolean {
  return uri.slice(0, PREFIX.length).toLowerCase() === PREFIX;
}

export function isTrustDomain(text: string): boolean {
  return TRUST_DOMAIN.test(text);
}

export function parseSpiffeId(text: string): Result<SpiffeId, string> {
  if (text.length > MAX_LENGTH) return err(`a SPIFFE ID is at most ${MAX_LENGTH} characters`);
  if (!text.startsWith(PREFIX)) return err('a SPIFFE ID starts with "spiffe://" (lower case)');
  const rest = text.slice(PREFIX.length);
  const slash = rest.indexOf("/");
  const trustDomain = slash < 0 ? rest : rest.slice(0, slash);
  if (!isTrustDomain(trustDomain)) return err("the trust domain may contain only a-z, 0-9, '.', '_' and '-'");
  if (slash < 0 || slash === rest.length - 1) return err("a workload SPIFFE ID has a path after the trust domain");
  const segments = rest.slice(slash + 1).split("/");
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) return err("path segments are non-empty and contain only A-Z, a-z, 0-9, '.', '_' and '-'");
    if (segment === "." || segment === "..") return err('path segments may not be "." or ".."');
  }
  const k8s = segments.length === 4 && segments[0] === "ns" && segments[2] === "sa";
  return ok(
    Object.freeze({
      id: text,
      trustDomain,
      segments: Object.freeze(segments),
      namespace: k8s ? segments[1] : undefined,
      serviceAccount: k8s ? segments[3] : undefined,
    }),
  );
}
