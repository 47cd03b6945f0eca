import { parseAllDocuments, stringify } from "yaml";
import type { BootstrapRenderer } from "../core/inject/envoy-mode.ts";
import type { InjectorConfig } from "../core/inject/injector-config.ts";
import { planInjection, rejectionText } from "../core/inject/inject-pod.ts";
import { applyPatch } from "../core/inject/json-patch.ts";
import { asObject, type JsonObject } from "../core/inject/pod-json.ts";

// `modelgate inject` on a YAML stream: each workload's pod template goes through the same
// planner as the webhook, and the same patch is applied to it. Other documents pass through.

export interface DocumentReport {
  readonly index: number;
  readonly kind: string;
  readonly name: string;
  readonly result: "injected" | "skipped" | "rejected" | "not-a-workload";
  readonly message?: string;
}

export interface InjectedStream {
  readonly yaml: string;
  readonly reports: readonly DocumentReport[];
  readonly parseErrors: readonly string[];
}

// Where each kind keeps its pod (metadata + spec).
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

function podOf(doc: JsonObject, path: readonly string[]): JsonObject | undefined {
  return path.reduce<JsonObject | undefined>((at, key) => asObject(at?.[key]), doc);
}

function withPod(doc: JsonObject, path: readonly string[], pod: JsonObject): JsonObject {
  if (path.length === 0) return pod;
  const [head, ...rest] = path as [string, ...string[]];
  return { ...doc, [head]: withPod(asObject(doc[head]) ?? {}, rest, pod) };
}

function injectDocument(
  doc: unknown,
  index: number,
  namespace: string,
  config: InjectorConfig,
  render: BootstrapRenderer,
): { doc: unknown; report: DocumentReport } {
  const object = asObject(doc);
  const kind = typeof object?.["kind"] === "string" ? object["kind"] : "";
  const metadata = asObject(object?.["metadata"]);
  const name = typeof metadata?.["name"] === "string" ? metadata["name"] : "";
  const path = TEMPLATE_PATHS[kind];
  const pod = object === undefined || path === undefined ? undefined : podOf(object, path);
  if (object === undefined || path === undefined || pod === undefined)
    return { doc, report: { index, kind, name, result: "not-a-workload" } };
  const ns = typeof metadata?.["namespace"] === "string" ? metadata["namespace"] : namespace;
  const plan = planInjection(pod, ns, config, render);
  if (plan.kind === "skip") return { doc, report: { index, kind, name, result: "skipped", message: plan.reason } };
  if (plan.kind === "reject") return { doc, report: { index, kind, name, result: "rejected", message: rejectionText(plan.rejections) } };
  return { doc: withPod(object, path, applyPatch(pod, plan.ops)), report: { index, kind, name, result: "injected" } };
}

export function injectYamlStream(text: string, namespace: string, config: InjectorConfig, render: BootstrapRenderer): InjectedStream {
  const list = parseAllDocuments(text, { uniqueKeys: true });
  const parseErrors = list.flatMap((d, i) => d.errors.map((e) => `document ${i + 1}: ${e.message}`));
  if (parseErrors.length > 0) return { yaml: "", reports: [], parseErrors };
  const results = list.map((d, i) => injectDocument(d.toJS({ maxAliasCount: 100 }), i + 1, namespace, config, render));
  const yaml = results
    .filter((r) => r.doc !== null && r.doc !== undefined)
    .map((r) => stringify(r.doc, { lineWidth: 0 }))
    .join("---\n");
  return { yaml, reports: results.map((r) => r.report), parseErrors: [] };
}
