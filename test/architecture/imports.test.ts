import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, dirname, sep } from "node:path";
import { describe, expect, it } from "vitest";

// House rules checked mechanically: the core stays pure, imports run only inward between the
// layers, no import cycles, no default exports, no barrel files. (ESLint checks the rules that
// need types; these need only the import graph.)

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

const FORBIDDEN_IN_CORE =
  /^(node:)?(fs|fs\/promises|net|http|http2|https|child_process|dgram|dns|os|process|worker_threads|timers)$|^(ioredis|@grpc\/|@kubernetes\/|prom-client)/;

// Arrows that must not exist, from a top-level folder of src/ (or one file) to other top-level
// folders. An exception is one arrow "from -> to" that exists today and is waiting for its fix.
// The test fails on a new arrow and on an exception that no longer exists, so the list can only
// shrink. (config/ has none since the adapters' settings types moved to core.)
//
// Together the rules say where adapters are constructed: only src/wiring/ (the servers, in the
// order they start) and src/cli/ import src/adapters/, and in src/cli/ only the one-shot commands
// (check, keys, audit, sanctions, inject), which build the few adapters they use and exit; the
// long-running commands keep flags and signals and import no adapter.
interface LayerRule {
  readonly layer: string; // a top-level folder of src/, or a file path under src/
  readonly mustNotImport: readonly string[];
  readonly why: string;
  readonly exceptions: readonly string[];
}

const LAYER_RULES: readonly LayerRule[] = [
  {
    layer: "core",
    mustNotImport: ["adapters", "config", "wiring", "cli", "envoy-config"],
    why: "the core is pure and knows no adapter",
    exceptions: [],
  },
  {
    layer: "config",
    mustNotImport: ["adapters", "wiring", "cli"],
    why: "configuration is parsed without adapter code",
    exceptions: [],
  },
  {
    layer: "adapters",
    mustNotImport: ["config", "wiring", "cli"],
    why: "adapters are handed their settings; no import runs upward into config or the wiring",
    exceptions: [],
  },
  {
    layer: "envoy-config",
    mustNotImport: ["adapters", "wiring", "cli"],
    why: "the Envoy bootstrap is rendered and checked without adapters",
    exceptions: ["src/envoy-config/envoy-validation-root.ts -> src/adapters/grpc/envoy-protos.ts"],
  },
  {
    layer: "wiring",
    mustNotImport: ["cli"],
    why: "the wiring room puts the program together and knows no command line",
    exceptions: [],
  },
  {
    layer: "cli/serve-command.ts",
    mustNotImport: ["adapters"],
    why: "the sidecar is put together in src/wiring/start-server.ts",
    exceptions: [],
  },
  {
    layer: "cli/webhook-command.ts",
    mustNotImport: ["adapters"],
    why: "the injector is put together in src/wiring/start-webhook.ts",
    exceptions: [],
  },
];

const srcLayer = (file: string): string => relative(srcDir, file).split(sep)[0] ?? "";
const arrow = (from: string, to: string): string => `${relative(root, from)} -> ${relative(root, to)}`.split(sep).join("/");

function forbiddenArrows(rule: LayerRule): string[] {
  return files
    .filter((file) => srcLayer(file) === rule.layer || relative(srcDir, file).split(sep).join("/") === rule.layer)
    .flatMap((file) =>
      localImports(file)
        .filter((target) => rule.mustNotImport.includes(srcLayer(target)))
        .map((target) => arrow(file, target)),
    );
}

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

  describe.each(LAYER_RULES.map((rule) => [rule.layer, rule.mustNotImport.join(", "), rule]))(
    "src/%s imports nothing from %s",
    (_layer, _targets, rule) => {
      const arrows = forbiddenArrows(rule);
      it(`because ${rule.why}`, () => {
        expect(arrows.filter((a) => !rule.exceptions.includes(a))).toEqual([]);
      });
      it("lists as exceptions only arrows that still exist", () => {
        expect(rule.exceptions.filter((a) => !arrows.includes(a))).toEqual([]);
      });
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
