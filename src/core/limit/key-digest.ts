import { hash } from "node:crypto";

// The digests inside limiter keys (limit-keys.ts): truncated SHA-256, so no key holds an
// identity in clear. The same few texts (a caller, its policy's limits) recur on every request,
// so the server memoizes them; each SHA-256 costs ≈ 0.6 µs as a one-shot `hash` (≈ 1.7 µs through
// a Hash object) and a request needs one or two per limit, plus the penalty box and the sanction
// key. The anomaly detector's observation keys use the same digest.

export type KeyDigest = (text: string) => string;

export function sha256Digest(text: string): string {
  return hash("sha256", text, "base64url").slice(0, 22);
}

// Bounded by entry count: when full it starts over, which costs one SHA-256 per text on the next
// request of each caller — simpler than LRU bookkeeping on every hit, and as good for a working
// set that fits.
export function memoizedDigest(maxEntries: number, digest: KeyDigest = sha256Digest): KeyDigest {
  const memo = new Map<string, string>();
  return (text) => {
    const known = memo.get(text);
    if (known !== undefined) return known;
    const value = digest(text);
    if (memo.size >= maxEntries) memo.clear();
    memo.set(text, value);
    return value;
  };
}
