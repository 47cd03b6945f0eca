import { describe, expect, it } from "vitest";
import { checkPorts } from "../../../src/core/check-ports.ts";
import { decide } from "../../../src/core/decide.ts";
import { buildCheckRequest } from "../../../src/adapters/grpc/build-check-request.ts";
import { underscoreHeader } from "../../../src/core/request/underscore-headers.ts";
import type { RoutingHeader } from "../../../src/core/request/routing-headers.ts";
import { requestWith } from "../identity/helpers.ts";
import { LocalLimiter } from "../../../src/adapters/limiter/local-limiter.ts";
import { compilePolicies } from "../../../src/core/policy/compile.ts";
import { parsePolicyYaml } from "../../../src/core/policy/load-yaml.ts";

// Issue 11 item 9: Envoy lets underscored header names through only when the routing header
// has one (Ray Serve); modelgate then refuses every underscored name but that one, so
// `x_api_key` can never be folded into `x-api-key` by the model server.

describe("underscoreHeader", () => {
  it.each<[string, Record<string, string>, string | undefined, string | undefined]>([
    ["dashes only", { "x-api-key": "k", "seldon-model": "m" }, undefined, undefined],
    ["an underscored name, nothing allowed", { x_api_key: "k" }, undefined, "x_api_key"],
    ["the configured routing header", { serve_multiplexed_model_id: "m" }, "serve_multiplexed_model_id", undefined],
    ["the routing header when another is configured", { serve_multiplexed_model_id: "m" }, "seldon-model", "serve_multiplexed_model_id"],
    [
      "a smuggled identity header beside the routing header",
      { serve_multiplexed_model_id: "m", x_modelgate_subject: "admin" },
      "serve_multiplexed_model_id",
      "x_modelgate_subject",
    ],
  ])("%s", (_name, headers, allowed, expected) => {
    expect(underscoreHeader(requestWith(headers), allowed)).toBe(expected);
  });
});

const POLICY = `
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: open, namespace: default }
spec:
  models: ["*"]
  rules: [{ name: anyone, effect: Allow, subjects: [{}], actions: [predict] }]
`;

describe("decide with underscored headers", () => {
  const index = compilePolicies(parsePolicyYaml(POLICY, "p.yaml").policies).index;
  const ports = (routingHeader?: RoutingHeader) =>
    checkPorts({
      deployment: {
        profile: "generic" as const,
        defaultModel: "llama",
        environment: "",
        ...(routingHeader === undefined ? {} : { routingHeader }),
      },
      sources: [],
      policies: () => index,
      limiter: new LocalLimiter({ now: () => 0 }),
      sanctions: false,
      now: () => 0,
      newId: () => "d-1",
    });
  it.each<[string, RoutingHeader | undefined, Record<string, string>, object]>([
    [
      "Ray Serve's header with routingHeader set: decided for its model",
      "serve_multiplexed_model_id",
      { serve_multiplexed_model_id: "lora-7" },
      { allowed: true, target: { model: "lora-7", source: "header" } },
    ],
    [
      "another underscored header with it: refused",
      "serve_multiplexed_model_id",
      { serve_multiplexed_model_id: "lora-7", x_api_key: "k" },
      { allowed: false, reason: "header_invalid" },
    ],
    [
      "Ray Serve's header without routingHeader: refused",
      undefined,
      { serve_multiplexed_model_id: "llama" },
      { allowed: false, reason: "header_invalid" },
    ],
  ])("%s", async (_name, routingHeader, headers, expected) => {
    const request = buildCheckRequest({ method: "POST", path: "/predict", headers });
    expect(await decide(request, ports(routingHeader))).toMatchObject(expected);
  });
});
