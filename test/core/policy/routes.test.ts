import { describe, expect, it } from "vitest";
import { compiled, policyDoc } from "./builders.ts";

const fraud = policyDoc([{ name: "r" }], {
  name: "fraud",
  models: ["fraud-*"],
  routes: [
    { method: "POST", path: "/v1/models/{model}:retrain", action: "train" },
    { method: "GET", path: "/debug/**", action: "admin" },
    { method: "POST", path: "/retrain", action: "train" },
    { method: "*", path: "/reload", action: "admin" },
  ],
});
const everything = policyDoc([{ name: "r" }], {
  name: "everything",
  models: ["**"],
  priority: 5,
  routes: [{ method: "POST", path: "/retrain", action: "retrain-all" }],
});
const alpha = policyDoc([{ name: "r" }], { name: "alpha", models: ["**"], routes: [{ method: "POST", path: "/tune", action: "tune-a" }] });
const beta = policyDoc([{ name: "r" }], { name: "beta", models: ["**"], routes: [{ method: "POST", path: "/tune", action: "tune-b" }] });

describe("matchRoute", () => {
  const index = compiled(fraud, everything, alpha, beta).index;

  it.each<[string, string, string, string, { model: string; action: string; policy: string } | undefined]>([
    ["captured model", "POST", "/v1/models/fraud-x:retrain", "ignored", { model: "fraud-x", action: "train", policy: "fraud" }],
    ["captured model its policy does not govern", "POST", "/v1/models/llm:retrain", "fraud-x", undefined],
    [
      "default model when nothing is captured",
      "GET",
      "/debug/pprof/heap",
      "fraud-detector",
      { model: "fraud-detector", action: "admin", policy: "fraud" },
    ],
    ["default model not governed", "GET", "/debug/pprof/heap", "other", undefined],
    [
      "higher priority wins",
      "POST",
      "/retrain",
      "fraud-detector",
      { model: "fraud-detector", action: "retrain-all", policy: "everything" },
    ],
    ["equal priority: name order", "POST", "/tune", "m", { model: "m", action: "tune-a", policy: "alpha" }],
    ["method must match", "PUT", "/retrain", "fraud-detector", undefined],
    ["* method", "DELETE", "/reload", "fraud-detector", { model: "fraud-detector", action: "admin", policy: "fraud" }],
    ["no route", "POST", "/v1/models/fraud-x:predict", "fraud-x", undefined],
  ])("%s", (_, method, path, defaultModel, expected) => {
    const match = index.matchRoute(method, path, defaultModel);
    expect(match && { model: match.model, action: match.action, policy: match.policy.name }).toEqual(expected);
  });

  it("names the policy, with an empty rule", () => {
    expect(index.matchRoute("POST", "/v1/models/fraud-x:retrain", "")?.policy).toEqual({
      namespace: "ml-prod",
      name: "fraud",
      generation: 0,
      rule: "",
    });
  });
});

describe("failureModeOf", () => {
  it("reports the limiter failure mode of the policy that allowed", () => {
    const strict = policyDoc([{ name: "r" }], { name: "strict", failureMode: "closed", priority: 1 });
    const { index } = compiled(strict, policyDoc([{ name: "r" }], { name: "lenient" }));
    const ref = { namespace: "ml-prod", name: "strict", generation: 0, rule: "r" };
    expect(index.failureModeOf(ref)).toBe("closed");
    expect(index.failureModeOf({ ...ref, name: "lenient" })).toBe("open");
  });
});
