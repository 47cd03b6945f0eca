import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

// Every file named like a CRD under `dir` other than the original itself: copies (a chart's
// crds/) that must stay byte-identical to deploy/crds.
export function crdCopies(dir: string, fileName: string, original: string): string[] {
  if (!existsSync(dir)) return []; // no chart yet
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === "node_modules" || entry.startsWith(".")) return [];
    if (statSync(path).isDirectory()) return crdCopies(path, fileName, original);
    return entry === fileName && path !== original ? [path] : [];
  });
}
