// Shared test builders: plain values with sensible defaults, overridden per table row.
import { expect } from "vitest";
import type { Identity } from "../../../src/core/identity/identity.ts";
import type { NormalizedRequest } from "../../../src/core/request/normalized-request.ts";
import type { AccessPolicy } from "../../../src/core/policy/access-policy.ts";
import { parseAccessPolicy } from "../../../src/core/policy/access-policy.ts";
import type { CompiledPolicies } from "../../../src/core/policy/compile.ts";
import { compilePolicies } from "../../../src/core/policy/compile.ts";
import type { EvaluationInput } from "../../../src/core/policy/types.ts";

export function identity(overrides: Partial<Identity> = {}): Identity {
  return {
    method: "jwt",
    subject: "alice@example.com",
    issuer: "https://login.example.com/",
    keyId: "",
    groups: [],
    attributes: {},
    ...overrides,
  };
}

export const anonymous: Identity = identity({ method: "anonymous", subject: "", issuer: "" });

export function request(overrides: Partial<NormalizedRequest> = {}): NormalizedRequest {
  return {
    id: "req-1",
    method: "POST",
    path: "/v1/models/fraud-detector:predict",
    rawPath: "/v1/models/fraud-detector:predict",
    query: new Map(),
    host: "models.example.com",
    scheme: "https",
    protocol: "HTTP/1.1",
    headers: new Map([["content-type", "application/json"]]),
    peer: { address: "10.0.0.7", principal: "", certificate: "" },
    body: undefined,
    contextExtensions: new Map(),
    receivedAt: 0,
    ...overrides,
  };
}

export interface InputOptions {
  readonly identity?: Identity;
  readonly model?: string;
  readonly action?: string;
  readonly environment?: string;
  readonly request?: NormalizedRequest;
}

export function input(options: InputOptions = {}): EvaluationInput {
  return {
    identity: options.identity ?? identity(),
    target: { model: options.model ?? "fraud-detector", version: "", action: options.action ?? "predict", source: "profile" },
    request: options.request ?? request(),
    environment: options.environment ?? "prod",
  };
}

export interface RuleDoc {
  readonly name: string;
  readonly effect?: "Allow" | "Deny";
  readonly subjects?: readonly object[];
  readonly actions?: readonly string[];
  readonly when?: string;
  readonly limits?: readonly object[];
}

export interface PolicyDocOptions {
  readonly name?: string;
  readonly namespace?: string;
  readonly models?: readonly string[];
  readonly priority?: number;
  readonly routes?: readonly object[];
  readonly limits?: readonly object[];
  readonly failureMode?: "open" | "closed";
}

export function policyDoc(rules: readonly RuleDoc[], options: PolicyDocOptions = {}): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    models: options.models ?? ["fraud-detector"],
    rules: rules.map((r) => ({ effect: "Allow", subjects: [{}], actions: ["predict"], ...r })),
  };
  if (options.priority !== undefined) spec["priority"] = options.priority;
  if (options.routes !== undefined) spec["routes"] = options.routes;
  if (options.limits !== undefined) spec["limits"] = options.limits;
  if (options.failureMode !== undefined) spec["failureMode"] = options.failureMode;
  return {
    apiVersion: "modelgate.io/v1alpha1",
    kind: "AccessPolicy",
    metadata: { name: options.name ?? "policy", namespace: options.namespace ?? "ml-prod" },
    spec,
  };
}

export function parsed(doc: unknown): AccessPolicy {
  const result = parseAccessPolicy(doc);
  if (!result.ok) expect.fail(`expected a valid policy, got ${JSON.stringify(result.error)}`);
  return result.value;
}

export function compiled(...docs: unknown[]): CompiledPolicies {
  const result = compilePolicies(docs.map(parsed));
  expect(result.issues).toEqual([]);
  return result;
}
