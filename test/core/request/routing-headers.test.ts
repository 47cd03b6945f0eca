import { describe, expect, it } from "vitest";
import type { ModelAction } from "../../../src/core/model-action.ts";
import { applyRoutingHeaders, type RoutingHeader } from "../../../src/core/request/routing-headers.ts";
import { request } from "./builders.ts";

// Routing headers against the model the path named: the model the serving stack will route to
// is the one authorized, and a request that names two models is refused.

const INFER: ModelAction = { model: "fraud-detector", version: "2", action: "predict", source: "profile" };
const HEALTH: ModelAction = { model: "", version: "", action: "health", source: "profile" };
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

function apply(headers: Record<string, string>, target: ModelAction = INFER, routingHeader?: RoutingHeader) {
  return applyRoutingHeaders(request({ headers: new Map(Object.entries(headers)) }), target, routingHeader);
}

describe("applyRoutingHeaders", () => {
  it.each<[string, Record<string, string>, RoutingHeader | undefined, Partial<ModelAction>]>([
    ["no routing header: the path's model", {}, undefined, INFER],
    ["a header that agrees with the path", { "seldon-model": "fraud-detector" }, undefined, INFER],
    ["ModelMesh's -bin form that agrees", { "mm-vmodel-id-bin": b64("fraud-detector") }, undefined, INFER],
    [
      "Seldon routes on its header: a pipeline is authorized as such",
      { "seldon-model": "fraud.pipeline" },
      "seldon-model",
      { model: "fraud.pipeline", version: "", source: "header" },
    ],
    [
      "ModelMesh routes on mm-model-id too",
      { "mm-model-id": "other-model" },
      "mm-vmodel-id",
      { model: "other-model", version: "", source: "header" },
    ],
    [
      "the routed header naming the path's model keeps its version",
      { "seldon-model": "fraud-detector" },
      "seldon-model",
      { model: "fraud-detector", version: "2", source: "header" },
    ],
    ["a configured header absent: the path's model", {}, "seldon-model", INFER],
  ])("%s", (_name, headers, routingHeader, expected) => {
    const result = apply(headers, INFER, routingHeader);
    expect(result).toEqual({ ok: true, value: { ...INFER, ...expected } });
  });

  it.each<[string, Record<string, string>, RoutingHeader | undefined, string, string]>([
    [
      "a header naming another model than the path (not routed on)",
      { "seldon-model": "payroll" },
      undefined,
      "model_ambiguous",
      'header seldon-model names "payroll"',
    ],
    [
      "the routed header and another routing header disagree",
      { "seldon-model": "a", "mm-vmodel-id": "b" },
      "seldon-model",
      "model_ambiguous",
      "header mm-vmodel-id",
    ],
    ["two ModelMesh headers disagree", { "mm-vmodel-id": "a", "mm-model-id": "b" }, "mm-vmodel-id", "model_ambiguous", "mm-model-id"],
    [
      "Ray's header and its dashed spelling disagree",
      { serve_multiplexed_model_id: "a", "serve-multiplexed-model-id": "b" },
      "serve_multiplexed_model_id",
      "model_ambiguous",
      "serve-multiplexed-model-id",
    ],
    [
      "the dashed spelling of Ray's header naming another model",
      { "serve-multiplexed-model-id": "payroll" },
      undefined,
      "model_ambiguous",
      "serve-multiplexed-model-id",
    ],
    ["a -bin header that is not base64", { "mm-vmodel-id-bin": "not base64!" }, undefined, "header_invalid", "not base64"],
    [
      "a -bin header that is not UTF-8",
      { "mm-vmodel-id-bin": Buffer.from([0xff, 0xfe]).toString("base64") },
      undefined,
      "header_invalid",
      "UTF-8",
    ],
    ["a routed model with a `..` segment", { "seldon-model": "a/../b" }, "seldon-model", "model_invalid", "`..` segment"],
    [
      "Triton's Vertex redirect",
      { "x-vertex-ai-triton-redirect": "v2/repository/models/x/load" },
      undefined,
      "header_invalid",
      "another Triton endpoint",
    ],
  ])("refuses %s", (_name, headers, routingHeader, reason, detail) => {
    const result = apply(headers, INFER, routingHeader);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ reason, detail: expect.stringContaining(detail) });
  });

  it("a server-level request is not re-targeted by a header the stack does not route on", () => {
    expect(apply({ "seldon-model": "anything" }, HEALTH)).toEqual({ ok: true, value: HEALTH });
  });

  it("a server-level request routed by the configured header is about that model", () => {
    expect(apply({ "seldon-model": "iris" }, HEALTH, "seldon-model")).toEqual({
      ok: true,
      value: { ...HEALTH, model: "iris", source: "header" },
    });
  });
});
