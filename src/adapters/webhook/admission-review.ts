import type { BootstrapRenderer } from "../../core/inject/envoy-mode.ts";
import type { InjectorConfig } from "../../core/inject/injector-config.ts";
import { ANNOTATION } from "../../core/inject/annotations.ts";
import { planInjection, rejectionText, type Plan } from "../../core/inject/inject-pod.ts";
import { asObject } from "../../core/inject/pod-json.ts";

// One AdmissionReview v1 request → its response. Anything that is not a Pod CREATE is allowed
// untouched (the webhook configuration should not send it). The outcome feeds the metrics.

export type Outcome =
  | { readonly result: "injected" }
  | { readonly result: "skipped"; readonly reason: string }
  | { readonly result: "rejected"; readonly reason: string }
  | { readonly result: "invalid" };

export interface Answer {
  readonly status: number; // HTTP status of the webhook's own reply
  readonly body: unknown;
  readonly outcome: Outcome;
}

const KNOWN_ANNOTATIONS = new Set<string>(Object.values(ANNOTATION));

// The metric label: the annotation at fault without its prefix, from a closed set (an
// unknown annotation's name is the pod author's text and never becomes a label).
export function rejectionReason(plan: Extract<Plan, { kind: "reject" }>): string {
  const first = plan.rejections[0]?.annotation ?? "unknown";
  if (KNOWN_ANNOTATIONS.has(first)) return first.slice("modelgate.io/".length);
  return first.startsWith("modelgate.io/") ? "unknown_annotation" : "pod_spec";
}

function review(uid: unknown, response: Record<string, unknown>): unknown {
  return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid, ...response } };
}

export function answerAdmissionReview(body: unknown, config: InjectorConfig, render: BootstrapRenderer): Answer {
  const request = asObject(asObject(body)?.["request"]);
  const uid = request?.["uid"];
  if (asObject(body)?.["apiVersion"] !== "admission.k8s.io/v1" || request === undefined || typeof uid !== "string") {
    return {
      status: 400,
      body: { message: "expected an admission.k8s.io/v1 AdmissionReview with a request.uid" },
      outcome: { result: "invalid" },
    };
  }
  const kind = asObject(request["kind"]);
  const pod = asObject(request["object"]);
  if (request["operation"] !== "CREATE" || kind?.["kind"] !== "Pod" || pod === undefined) {
    return { status: 200, body: review(uid, { allowed: true }), outcome: { result: "skipped", reason: "not_pod_create" } };
  }
  const namespace = typeof request["namespace"] === "string" ? request["namespace"] : "";
  const plan = planInjection(pod, namespace, config, render);
  switch (plan.kind) {
    case "skip":
      return { status: 200, body: review(uid, { allowed: true }), outcome: { result: "skipped", reason: plan.reason } };
    case "reject":
      return {
        status: 200,
        body: review(uid, { allowed: false, status: { code: 400, reason: "BadRequest", message: rejectionText(plan.rejections) } }),
        outcome: { result: "rejected", reason: rejectionReason(plan) },
      };
    case "inject":
      return {
        status: 200,
        body: review(uid, { allowed: true, patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(plan.ops)).toString("base64") }),
        outcome: { result: "injected" },
      };
  }
}
