import { readFileSync } from "node:fs";
import { join } from "node:path";

// The Node flags the image starts modelgate with (`ENV NODE_OPTIONS=…` in deploy/image/Dockerfile,
// then the flags its ENTRYPOINT gives node before the script), so a benchmark's server runs as the
// sidecar does. Read from the tree being measured, so an A/B of two trees compares each with its
// own runtime flags.
export function imageNodeFlags(tree: string): string[] {
  const dockerfile = readFileSync(join(tree, "deploy/image/Dockerfile"), "utf8");
  const options = /^ENV NODE_OPTIONS="([^"]*)"/m.exec(dockerfile)?.[1] ?? "";
  return [...options.split(/\s+/).filter((flag) => flag !== ""), ...entrypointNodeFlags(dockerfile)];
}

// The exec-form ENTRYPOINT's arguments between the node binary and the script.
export function entrypointNodeFlags(dockerfile: string): string[] {
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
  if (entrypoint === undefined) return [];
  const words = JSON.parse(entrypoint) as string[];
  return words.slice(1).filter((word) => word.startsWith("--"));
}
