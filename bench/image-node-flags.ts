import { readFileSync } from "node:fs";
import { join } from "node:path";

// The Node flags the image starts modelgate with (`ENV NODE_OPTIONS=…` in deploy/image/Dockerfile),
// so a benchmark's server runs as the sidecar does. Read from the tree being measured, so an A/B
// of two trees compares each with its own runtime flags.
export function imageNodeFlags(tree: string): string[] {
  const dockerfile = readFileSync(join(tree, "deploy/image/Dockerfile"), "utf8");
  const value = /^ENV NODE_OPTIONS="([^"]*)"/m.exec(dockerfile)?.[1] ?? "";
  return value.split(/\s+/).filter((flag) => flag !== "");
}
