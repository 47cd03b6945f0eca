import type { Action, ModelAction } from "../../model-action.ts";
import type { Result } from "../../result.ts";
import { ok } from "../../result.ts";
import type { RequestError } from "../request-error.ts";

export type TargetResult = Result<ModelAction, RequestError>;

// Which action each method gets on one route; a method not listed is `unknown`.
export type MethodActions = Readonly<Partial<Record<string, Action>>>;

export function target(model: string, action: Action, version = ""): TargetResult {
  return ok(Object.freeze({ model, version, action, source: "profile" as const }));
}

// Lookup tables are keyed by request text; only own keys count, so `/v2/constructor` or a
// `__PROTO__` method can never find something on Object.prototype.
export function own<T>(table: Readonly<Partial<Record<string, T>>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export function byMethod(method: string, actions: MethodActions): Action {
  return own(actions, method) ?? "unknown";
}

// A recognised route with a method it does not serve keeps the model the path names, so the
// `unknown` request is judged by the policies of the model it actually touches.
export function routeTarget(method: string, actions: MethodActions, model: string, version = ""): TargetResult {
  return target(model, byMethod(method, actions), version);
}

// A path the profile does not know names no model we can trust; the deployment's model stands in.
export function unrecognised(defaultModel: string): TargetResult {
  return target(defaultModel, "unknown");
}
