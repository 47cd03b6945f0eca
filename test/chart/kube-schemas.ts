import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, toolsDir } from "./deploy-tools.ts";

// Standalone, strict JSON schemas for kubeconform, generated offline from the OpenAPI v2
// document of the Kubernetes version the API-server harness runs (api/openapi-spec/swagger.json
// in the k8s.io/kubernetes module that test/harness/build-kube.sh downloads). One file per kind,
// named `{kind}-{group's first label}-{version}.json` as kubeconform looks them up; objects get
// `additionalProperties: false`, so an unknown or misplaced field fails validation.

type Schema = Record<string, unknown>;

export function kubeVersion(): string {
  const goMod = readFileSync(join(REPO, "test/harness/kube-tools/go.mod"), "utf8");
  const match = /^\s*k8s\.io\/kubernetes\s+(v\S+)/m.exec(goMod);
  if (match?.[1] === undefined) throw new Error("test/harness/kube-tools/go.mod names no k8s.io/kubernetes version");
  return match[1];
}

function swaggerPath(version: string): string {
  const env = { ...process.env, PATH: `${process.env["PATH"] ?? ""}:/usr/local/go/bin`, GOFLAGS: "-mod=mod" };
  const modCache = execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8", env }).trim();
  const file = join(modCache, `k8s.io/kubernetes@${version}`, "api/openapi-spec/swagger.json");
  if (!existsSync(file)) {
    execFileSync("go", ["mod", "download", `k8s.io/kubernetes@${version}`], {
      cwd: join(REPO, "test/harness/kube-tools"),
      env,
      stdio: "ignore",
    });
  }
  return file;
}

// Returns the directory of schemas, generating it once per Kubernetes version.
export function kubeSchemaDir(): string {
  const version = kubeVersion();
  const dir = join(toolsDir(), "deploy/schemas", version);
  if (existsSync(join(dir, "done"))) return dir;
  const swagger = JSON.parse(readFileSync(swaggerPath(version), "utf8")) as { definitions: Record<string, Schema> };
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  for (const [name, definition] of Object.entries(swagger.definitions)) {
    for (const gvk of (definition["x-kubernetes-group-version-kind"] as { group: string; version: string; kind: string }[] | undefined) ??
      []) {
      const group = gvk.group === "" ? "" : `-${gvk.group.split(".")[0]}`;
      const file = `${gvk.kind.toLowerCase()}${group}-${gvk.version}.json`.toLowerCase();
      writeFileSync(join(tmp, file), JSON.stringify(standalone(name, swagger.definitions)));
    }
  }
  writeFileSync(join(tmp, "done"), version);
  try {
    renameSync(tmp, dir); // atomic: readers see no directory or a complete one
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another test file generated it meanwhile
  }
  return dir;
}

function standalone(root: string, definitions: Record<string, Schema>): Schema {
  const needed = new Map<string, Schema>();
  const visit = (name: string): void => {
    if (needed.has(name)) return;
    const definition = definitions[name];
    if (definition === undefined) throw new Error(`swagger.json: dangling $ref ${name}`);
    needed.set(name, {});
    needed.set(name, strict(definition, visit));
  };
  visit(root);
  const rootSchema = needed.get(root) ?? {};
  return { $schema: "http://json-schema.org/draft-04/schema#", ...rootSchema, definitions: Object.fromEntries(needed) };
}

// Kubernetes' own serialisation rules the OpenAPI types only hint at.
const SPECIAL: Readonly<Record<string, Schema>> = {
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { oneOf: [{ type: "string" }, { type: "integer" }] },
  "io.k8s.apimachinery.pkg.api.resource.Quantity": { oneOf: [{ type: "string" }, { type: "number" }] },
};

function strict(schema: unknown, visit: (name: string) => void): Schema {
  if (Array.isArray(schema)) return schema.map((item) => strict(item, visit)) as unknown as Schema;
  if (schema === null || typeof schema !== "object") return schema as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith("x-kubernetes-") || key === "format") continue;
    if (key === "$ref" && typeof value === "string") {
      const name = value.replace("#/definitions/", "");
      const special = SPECIAL[name];
      if (special !== undefined) return { ...special };
      visit(name);
      out[key] = value;
      continue;
    }
    out[key] =
      key === "properties"
        ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, strict(v, visit)]))
        : strict(value, visit);
  }
  if (out["properties"] !== undefined && out["additionalProperties"] === undefined) out["additionalProperties"] = false;
  return out;
}
