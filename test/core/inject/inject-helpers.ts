import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { INJECTOR_CONFIG_DEFAULTS } from "../../../src/core/inject/injector-config.ts";
import { planInjection, type Plan } from "../../../src/core/inject/inject-pod.ts";
import type { JsonObject } from "../../../src/core/inject/pod-json.ts";
import { renderInjectedBootstrap } from "../../../src/envoy-config/injected-bootstrap.ts";

export const FIXTURES = join(import.meta.dirname, "fixtures");

export interface Fixture {
  readonly name: string;
  readonly namespace: string;
  readonly pod: JsonObject;
  readonly annotation?: string;
  readonly message?: string;
}

export function fixtures(kind: "valid" | "invalid"): Fixture[] {
  const dir = join(FIXTURES, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => {
      const doc = parse(readFileSync(join(dir, f), "utf8")) as Omit<Fixture, "name" | "namespace"> & { namespace?: string };
      return { ...doc, name: f.replace(/\.yaml$/, ""), namespace: doc.namespace ?? "ml" };
    });
}

export function plan(pod: JsonObject, namespace = "ml"): Plan {
  return planInjection(pod, namespace, INJECTOR_CONFIG_DEFAULTS, renderInjectedBootstrap);
}

// The Envoy bootstrap the patch carries in the modelgate-envoy container's --config-yaml.
export function bootstrapOf(initContainers: readonly unknown[]): unknown {
  const envoy = initContainers.find((c) => (c as { name?: string }).name === "modelgate-envoy") as { args: string[] } | undefined;
  const at = envoy?.args.indexOf("--config-yaml") ?? -1;
  return JSON.parse(envoy?.args[at + 1] ?? "null");
}
