// Glob matching for model names, subjects and SPIFFE paths. `*` is the only wildcard inside a
// string; `**` is a whole segment that spans segments. Both matchers are iterative
// (greedy with single backtrack point), so a hostile pattern or name costs at most O(n·m), never
// exponential time as a naive recursive or RegExp translation could.

export type StringMatcher = (text: string) => boolean;

// `*` matches any run of characters, including an empty one. Used for subjects, where `/` and `:`
// are ordinary characters, and for the inside of one model or SPIFFE path segment.
export function compileWildcard(pattern: string): StringMatcher {
  if (!pattern.includes("*")) return (text) => text === pattern;
  if (pattern === "*") return () => true;
  return (text) => wildcardMatch(pattern, text);
}

function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== "*" && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

type SegmentMatcher = StringMatcher | "**";

// A whole-segment glob over `/`-separated names: `fraud-*` matches `fraud-detector` but not
// `fraud/x`; `**` matches zero or more whole segments (`team/**` matches `team` and `team/a/b`).
export function compileSegmentGlob(pattern: string): StringMatcher {
  if (!/[*]/.test(pattern)) return (text) => text === pattern;
  if (pattern === "**") return () => true;
  const parts = pattern.split("/");
  const segments: SegmentMatcher[] = parts.map((part) => (part === "**" ? "**" : compileWildcard(part)));
  if (!parts.includes("**")) {
    return (text) => fixedSegmentsMatch(segments as readonly StringMatcher[], text);
  }
  return (text) => spanningMatch(segments, text.split("/"));
}

// Without `**` the segment counts must agree, so no split array is needed.
function fixedSegmentsMatch(segments: readonly StringMatcher[], text: string): boolean {
  let start = 0;
  for (let i = 0; i < segments.length; i++) {
    const end = i === segments.length - 1 ? text.length : text.indexOf("/", start);
    if (end < 0) return false;
    const segment = text.slice(start, end);
    if (segment.includes("/") || !segments[i]!(segment)) return false;
    start = end + 1;
  }
  return true;
}

function spanningMatch(segments: readonly SegmentMatcher[], parts: readonly string[]): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < parts.length) {
    const segment = segments[p];
    if (segment !== undefined && segment !== "**" && segment(parts[t]!)) {
      p++;
      t++;
    } else if (segment === "**") {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (segments[p] === "**") p++;
  return p === segments.length;
}
