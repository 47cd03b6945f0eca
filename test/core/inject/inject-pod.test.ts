import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyPatch, type PatchOp } from "../../../src/core/inject/json-patch.ts";
import { INJECTOR_CONFIG_DEFAULTS } from "../../../src/core/inject/injector-config.ts";
import { planInjection } from "../../../src/core/inject/inject-pod.ts";
import type { JsonObject } from "../../../src/core/inject/pod-json.ts";
import { BOOTSTRAP_TYPE } from "../../../src/envoy-config/envoy-names.ts";
import { loadEnvoyValidationRoot } from "../../../src/envoy-config/envoy-validation-root.ts";
import { renderInjectedBootstrap } from "../../../src/envoy-config/injected-bootstrap.ts";
import { validateProtoJson } from "../../../src/envoy-config/proto-json-validator.ts";
import { lintSidecarEnvoyConfig } from "../../../src/envoy-config/sidecar-lint.ts";
import { bootstrapOf, fixtures, plan } from "./inject-helpers.ts";

// Golden patches per annotation combination (UPDATE_GOLDEN=1 rewrites them after a deliberate
// change; review the diff), every refusal as its own fixture, and idempotency.

const GOLDEN = join(import.meta.dirname, "golden");
const root = loadEnvoyValidationRoot();

function injectedOps(pod: JsonObject, namespace = "ml"): readonly PatchOp[] {
  const p = plan(pod, namespace);
  if (p.kind !== "inject") throw new Error(`expected an injection, got ${JSON.stringify(p)}`);
  return p.ops;
}

// The bootstrap argument is one long JSON line; the golden file shows it parsed, so a change to
// the renderer reads as a diff of fields. (It is compact JSON.stringify output, so nothing is lost.)
function readable(value: unknown): unknown {
  if (Array.isArray(value))
    return value.map((v, i) =>
      value[i - 1] === "--config-yaml" && typeof v === "string" ? { $bootstrap: JSON.parse(v) as unknown } : readable(v),
    );
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, readable(v)]));
}

describe("planInjection: golden patches", () => {
  it.each(fixtures("valid").map((f) => [f.name, f] as const))("%s", (name, f) => {
    const ops = injectedOps(f.pod, f.namespace);
    const text = `${JSON.stringify(readable(ops), null, 2)}\n`;
    const file = join(GOLDEN, `${name}.json`);
    if (process.env["UPDATE_GOLDEN"] === "1" || !existsSync(file)) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(file, text);
    }
    expect(text).toBe(readFileSync(file, "utf8"));
  });

  it.each(fixtures("valid").map((f) => [f.name, f] as const))("%s: the Envoy bootstrap is schema-valid and lint-clean", (_name, f) => {
    const injected = applyPatch(f.pod, injectedOps(f.pod, f.namespace)) as { spec: { initContainers: unknown[] } };
    const bootstrap = bootstrapOf(injected.spec.initContainers);
    expect([...validateProtoJson(root, BOOTSTRAP_TYPE, bootstrap), ...lintSidecarEnvoyConfig(bootstrap)]).toEqual([]);
  });
});

describe("planInjection: refusals name the annotation and the fix", () => {
  it.each(fixtures("invalid").map((f) => [f.name, f] as const))("%s", (_name, f) => {
    const p = plan(f.pod, f.namespace);
    expect(p.kind).toBe("reject");
    if (p.kind !== "reject") return;
    expect(p.rejections[0]?.annotation).toBe(f.annotation);
    expect(p.rejections[0]?.message).toContain(f.message);
  });
});

describe("planInjection: what is left alone", () => {
  const pod = fixtures("valid").find((f) => f.name === "named-port-and-probes")!.pod;

  it("a pod without the annotation, or with inject: false", () => {
    expect(plan({ metadata: { name: "x" }, spec: { containers: [{ name: "a" }] } })).toEqual({ kind: "skip", reason: "not_requested" });
    const off = { ...pod, metadata: { annotations: { "modelgate.io/inject": "false" } } };
    expect(plan(off)).toEqual({ kind: "skip", reason: "not_requested" });
  });

  it.each(["kube-system", "kube-public", "kube-node-lease", "modelgate-system"])("a pod in %s", (ns) => {
    expect(plan(pod, ns)).toEqual({ kind: "skip", reason: "excluded_namespace" });
  });

  it("is idempotent: the injected pod is not injected again", () => {
    const once = applyPatch(pod, injectedOps(pod));
    expect(plan(once)).toEqual({ kind: "skip", reason: "already_injected" });
  });

  it("an injected pod whose label another webhook removed is still not injected twice", () => {
    const once = applyPatch(pod, injectedOps(pod)) as { metadata: { labels: Record<string, string> } };
    delete once.metadata.labels["modelgate.io/injected"];
    expect(plan(once as unknown as JsonObject)).toEqual({ kind: "skip", reason: "already_injected" });
  });

  it("does not change its input", () => {
    const before = structuredClone(pod);
    injectedOps(pod);
    expect(pod).toEqual(before);
  });
});

describe("what the patch guarantees", () => {
  const f = fixtures("valid").find((x) => x.name === "named-port-and-probes")!;
  const injected = applyPatch(f.pod, injectedOps(f.pod)) as {
    metadata: { labels: Record<string, string> };
    spec: { initContainers: JsonObject[]; containers: JsonObject[]; volumes: JsonObject[] };
  };

  it("labels the pod and adds modelgate then Envoy as native sidecars with startup probes", () => {
    expect(injected.metadata.labels).toEqual({ app: "fraud", "modelgate.io/injected": "true" });
    expect(injected.spec.initContainers.map((c) => [c["name"], c["restartPolicy"], c["startupProbe"] !== undefined])).toEqual([
      ["modelgate", "Always", true],
      ["modelgate-envoy", "Always", true],
    ]);
  });

  it("hardens both sidecars", () => {
    for (const c of injected.spec.initContainers) {
      expect(c["securityContext"]).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      });
    }
  });

  it("moves the model's port name to Envoy and renames the model's", () => {
    const envoyPorts = injected.spec.initContainers[1]!["ports"];
    expect(envoyPorts).toEqual([
      { name: "modelgate-http", containerPort: 8443, protocol: "TCP" },
      { name: "http", containerPort: 8443, protocol: "TCP" },
      { name: "modelgate-probe", containerPort: 15021, protocol: "TCP" },
    ]);
    expect(injected.spec.containers[0]!["ports"]).toEqual([
      { name: "mg-model", containerPort: 8080 },
      { name: "metrics", containerPort: 9100 },
    ]);
  });

  it("rewrites each HTTP probe to its own exact Envoy route, keeping the probe's other settings", () => {
    const model = injected.spec.containers[0]!;
    expect(model["readinessProbe"]).toEqual({
      httpGet: { path: "/modelgate-probe/readiness", port: 15021, scheme: "HTTP" },
      periodSeconds: 5,
    });
    expect(model["startupProbe"]).toEqual({
      httpGet: { path: "/modelgate-probe/startup", port: 15021, scheme: "HTTP" },
      failureThreshold: 30,
    });
    const routes = (
      bootstrapOf(injected.spec.initContainers) as {
        static_resources: {
          listeners: {
            virtual_hosts?: unknown;
            filter_chains: {
              filters: {
                typed_config: { route_config: { virtual_hosts: { routes: { match: unknown; route?: { prefix_rewrite?: string } }[] }[] } };
              }[];
            }[];
          }[];
        };
      }
    ).static_resources.listeners[1]!.filter_chains[0]!.filters[0]!.typed_config.route_config.virtual_hosts[0]!.routes;
    expect(routes.map((r) => [r.match, r.route?.prefix_rewrite])).toEqual([
      [{ path: "/healthz/envoy" }, undefined],
      [{ path: "/modelgate-probe/liveness", headers: [{ name: ":method", string_match: { exact: "GET" } }] }, "/v2/health/live"],
      [{ path: "/modelgate-probe/readiness", headers: [{ name: ":method", string_match: { exact: "GET" } }] }, "/v2/health/ready"],
      [{ path: "/modelgate-probe/startup", headers: [{ name: ":method", string_match: { exact: "GET" } }] }, "/v2/health/live"],
    ]);
  });

  it("takes the Redis password from the configured Secret, never a literal", () => {
    const config = {
      ...INJECTOR_CONFIG_DEFAULTS,
      sidecar: { ...INJECTOR_CONFIG_DEFAULTS.sidecar, redisPasswordSecret: { name: "modelgate-redis", key: "password" } },
    };
    const p = planInjection(f.pod, "ml", config, renderInjectedBootstrap);
    const pod = applyPatch(f.pod, p.kind === "inject" ? p.ops : []) as { spec: { initContainers: { env: unknown[] }[] } };
    expect(pod.spec.initContainers[0]!.env).toContainEqual({
      name: "MODELGATE_REDIS_PASSWORD",
      valueFrom: { secretKeyRef: { name: "modelgate-redis", key: "password", optional: true } },
    });
  });
});
