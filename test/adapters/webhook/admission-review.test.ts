import { describe, expect, it } from "vitest";
import { answerAdmissionReview } from "../../../src/adapters/webhook/admission-review.ts";
import { INJECTOR_CONFIG_DEFAULTS } from "../../../src/core/inject/injector-config.ts";
import { renderInjectedBootstrap } from "../../../src/envoy-config/injected-bootstrap.ts";

// AdmissionReview v1 in, AdmissionReview v1 out: the uid echoed, a base64 JSONPatch, a refusal
// as allowed:false with the message, and the outcome for the metrics.

const POD = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "m", annotations: { "modelgate.io/inject": "true", "modelgate.io/model-port": "8080" } },
  spec: { containers: [{ name: "model", image: "example/model:1" }] },
};

function review(request: Record<string, unknown>): unknown {
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: { uid: "u-1", kind: { group: "", version: "v1", kind: "Pod" }, operation: "CREATE", namespace: "ml", object: POD, ...request },
  };
}

function answer(body: unknown) {
  return answerAdmissionReview(body, INJECTOR_CONFIG_DEFAULTS, renderInjectedBootstrap);
}

type Response = {
  response: { uid: string; allowed: boolean; patchType?: string; patch?: string; status?: { code: number; message: string } };
};

describe("answerAdmissionReview", () => {
  it("injects with a base64 JSONPatch and echoes the uid", () => {
    const a = answer(review({}));
    const r = (a.body as Response).response;
    expect(a.outcome).toEqual({ result: "injected" });
    expect(r).toMatchObject({ uid: "u-1", allowed: true, patchType: "JSONPatch" });
    const ops = JSON.parse(Buffer.from(r.patch!, "base64").toString("utf8")) as { path: string }[];
    expect(ops.map((o) => o.path)).toContain("/spec/initContainers");
  });

  it("refuses with the annotation and a metric reason from a closed set", () => {
    const bad = { ...POD, metadata: { ...POD.metadata, annotations: { ...POD.metadata.annotations, "modelgate.io/protocol": "grpc" } } };
    const a = answer(review({ object: bad }));
    expect(a.outcome).toEqual({ result: "rejected", reason: "protocol" });
    expect((a.body as Response).response).toMatchObject({
      uid: "u-1",
      allowed: false,
      status: { code: 400, message: expect.stringContaining("modelgate.io/protocol") },
    });
    const typo = {
      ...POD,
      metadata: { ...POD.metadata, annotations: { ...POD.metadata.annotations, "modelgate.io/anything-a-user-types": "x" } },
    };
    expect(answer(review({ object: typo })).outcome).toEqual({ result: "rejected", reason: "unknown_annotation" });
  });

  it.each([
    ["an UPDATE", { operation: "UPDATE" }, "not_pod_create"],
    ["another kind", { kind: { group: "", version: "v1", kind: "Service" } }, "not_pod_create"],
    ["the webhook's own namespace", { namespace: "modelgate-system" }, "excluded_namespace"],
    ["kube-system", { namespace: "kube-system" }, "excluded_namespace"],
  ])("allows %s untouched", (_name, request, reason) => {
    const a = answer(review(request));
    expect(a.outcome).toEqual({ result: "skipped", reason });
    expect((a.body as Response).response).toEqual({ uid: "u-1", allowed: true });
  });

  it.each([
    ["not a review", { hello: 1 }],
    ["v1beta1", { apiVersion: "admission.k8s.io/v1beta1", request: { uid: "x" } }],
    ["no uid", { apiVersion: "admission.k8s.io/v1", request: {} }],
  ])("answers 400 to %s", (_name, body) => {
    expect(answer(body)).toMatchObject({ status: 400, outcome: { result: "invalid" } });
  });
});
