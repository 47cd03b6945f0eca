// Segments of a canonical path (see canonical-path.ts): never empty, never `.`/`..`.
// The root `/` has no segments.
export function pathSegments(canonicalPath: string): readonly string[] {
  return canonicalPath === "/" ? [] : canonicalPath.slice(1).split("/");
}
