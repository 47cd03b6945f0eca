import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { describe, expect, it } from "vitest";

// House rules checked mechanically: the core stays pure, no import cycles, no default
// exports, no barrel files.

const root = resolve(import.meta.dirname, "../..");
const srcDir = join(root, "src");

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const files = listTs(srcDir);
const importPattern = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm;

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(importPattern)].map((m) => m[1] as string);
}

function localImports(file: string): string[] {
  return importsOf(file)
    .filter((s) => s.startsWith("."))
    .map((s) => resolve(dirname(file), s));
}

const FORBIDDEN_IN_CORE = /^(node:)?(fs|fs\/promises|net|http|http2|https|child_process|dgram|dns|os|process|worker_threads|timers)$|^(ioredis|@grpc\/|@kubernetes\/|prom-client)/;

describe("architecture", () => {
  it("finds the source tree", () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.filter((f) => f.includes(`${join("src", "core")}`)).map((f) => [relative(root, f), f]))(
    "%s imports nothing with I/O and nothing outside core",
    (_name, file) => {
      for (const spec of importsOf(file)) {
        expect(spec, `${file} imports ${spec}`).not.toMatch(FORBIDDEN_IN_CORE);
        if (spec.startsWith(".")) expect(resolve(dirname(file), spec).startsWith(join(srcDir, "core"))).toBe(true);
      }
      const text = readFileSync(file, "utf8");
      expect(text, `${file} reads the clock`).not.toMatch(/Date\.now\(|Math\.random\(|new Date\(\)|process\.env/);
    },
  );

  it("has no default exports and no barrel files", () => {
    for (const file of files) {
      expect(readFileSync(file, "utf8"), file).not.toMatch(/^export default /m);
      expect(file.endsWith("/index.ts"), file).toBe(false);
    }
  });

  it("has no import cycles", () => {
    const graph = new Map(files.map((f) => [f, localImports(f)]));
    const state = new Map<string, "visiting" | "done">();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => relative(root, f)).join(" -> "));
        return;
      }
      state.set(file, "visiting");
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("imports only files that exist", () => {
    const known = new Set(files);
    for (const file of files) {
      for (const target of localImports(file)) expect(known.has(target), `${relative(root, file)} -> ${target}`).toBe(true);
    }
  });
});
