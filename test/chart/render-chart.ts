import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { CHART, deployTool, run, type RunResult } from "./deploy-tools.ts";

// `helm template` and `helm lint` of charts/modelgate with the real helm binary, values given as
// an object (written to a temporary values file, the way a user's -f works).

export type K8sObject = {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly annotations?: Record<string, string>;
    readonly labels?: Record<string, string>;
  };
  readonly [key: string]: unknown;
};

export const RELEASE_NAMESPACE = "modelgate-system";

export function withValuesFile<T>(values: unknown, use: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-values-"));
  try {
    const file = join(dir, "values.json");
    writeFileSync(file, JSON.stringify(values));
    return use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function helmTemplate(values: unknown, extraArgs: readonly string[] = []): RunResult {
  return withValuesFile(values, (file) =>
    run(deployTool("helm"), ["template", "modelgate", CHART, "--namespace", RELEASE_NAMESPACE, "--include-crds", "-f", file, ...extraArgs]),
  );
}

export function renderedText(values: unknown): string {
  const result = helmTemplate(values);
  if (result.code !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return result.stdout;
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text, { uniqueKeys: true })
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((doc): doc is K8sObject => doc !== null);
}

export function render(values: unknown): K8sObject[] {
  return parseManifests(renderedText(values));
}

export function find(objects: readonly K8sObject[], kind: string, name?: string, namespace?: string): K8sObject[] {
  return objects.filter(
    (o) =>
      o.kind === kind &&
      (name === undefined || o.metadata.name === name) &&
      (namespace === undefined || o.metadata.namespace === namespace),
  );
}

// The one object of a kind (and name, namespace), typed as the caller reads it.
export function one<T = K8sObject>(objects: readonly K8sObject[], kind: string, name?: string, namespace?: string): T {
  const found = find(objects, kind, name, namespace);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ""} ${namespace ?? ""}, found ${found.length}`);
  return found[0] as unknown as T;
}

export function helmLint(values: unknown): RunResult {
  return withValuesFile(values, (file) => run(deployTool("helm"), ["lint", "--strict", CHART, "-f", file]));
}
