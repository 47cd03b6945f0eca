import { describe, expect, it } from "vitest";
import { PROTOCOLS } from "../../../../src/core/model-action.ts";
import { modelNameProblem } from "../../../../src/core/request/profiles/model-name.ts";
import { resolveTarget } from "../../../../src/core/request/profiles/resolve-target.ts";
import { jsonRequest, request } from "../builders.ts";

describe("resolveTarget", () => {
  it.each(PROTOCOLS)("%s returns a frozen profile target", (profile) => {
    const result = resolveTarget(request({ method: "GET", path: "/nothing/known/here" }), profile, "m");
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.source).toBe("profile");
      expect(Object.isFrozen(result.value)).toBe(true);
    }
  });

  it.each(PROTOCOLS)("%s validates the model wherever it came from", (profile) => {
    const result = resolveTarget(request({ method: "POST", path: "/x" }), profile, "bad\u0000model");
    expect(result.ok ? result.value : result.error.reason).toBe("model_invalid");
  });

  it("does not force a multi-model server's model to the default", () => {
    const result = resolveTarget(request({ method: "POST", path: "/v2/models/other/infer" }), "open-inference-v2", "m");
    expect(result.ok && result.value.model).toBe("other");
  });

  it("validates a body model", () => {
    const req = jsonRequest("POST", "/v1/chat/completions", { model: "a/./b" });
    const result = resolveTarget(req, "openai", "m");
    expect(result.ok ? result.value : result.error).toEqual({ reason: "model_invalid", detail: expect.stringContaining("segment") });
  });
});

describe("modelNameProblem", () => {
  it.each([
    "fraud-detector",
    "Fraud_Detector.v2",
    "llama:q4",
    "meta-llama/Llama-3.1-8B-Instruct",
    "org/team/model",
    "modèle",
    "a b",
    "m".repeat(253),
  ])("%j is a valid name", (name) => {
    expect(modelNameProblem(name)).toBeUndefined();
  });

  it.each([
    ["", "empty"],
    ["m".repeat(254), "longer"],
    ["a\u0000b", "control"],
    ["a\nb", "control"],
    ["a\u007fb", "control"],
    ["a\u0085b", "control"],
    ["\ud800", "Unicode"],
    ["/a", "segment"],
    ["a/", "segment"],
    ["a//b", "segment"],
    ["a/./b", "segment"],
    ["a/../b", "segment"],
    [".", "segment"],
    ["..", "segment"],
  ])("%j is refused (%s)", (name, problem) => {
    expect(modelNameProblem(name)).toContain(problem);
  });
});
