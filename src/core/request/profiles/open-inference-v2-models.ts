import type { MethodActions, TargetResult } from "./target.ts";
import { own, routeTarget, target } from "./target.ts";

// What follows /v2/models/<m>[/versions/<v>] (ml-protocols.md §2, §2.1). Methods outside a
// row's set are `unknown`, because Triton enforces them per handler and a GET that reaches an
// infer handler elsewhere must not ride on a read grant.
const MODEL_KINDS: Readonly<Record<string, MethodActions>> = {
  "": { GET: "read" },
  ready: { GET: "health" },
  infer: { POST: "predict" },
  generate: { POST: "predict" },
  generate_stream: { POST: "stream" },
  infer_stream: { POST: "stream" },
  explain: { POST: "explain" },
  config: { GET: "read" },
  stats: { GET: "stats" },
};

// Triton has no versioned form of the trace route (a version there falls through to 404).
const UNVERSIONED_KINDS: Readonly<Record<string, MethodActions>> = {
  "trace/setting": { GET: "read", POST: "admin" },
};

// `rest` is the path after /v2/models. The exact path /v2/models/stats means statistics of all
// models (Triton checks it first, shadowing a model named "stats"): `stats` on the server, so a
// grant of server metadata (`read`) does not also show every model's usage.
export function resolveModelsRoute(method: string, rest: readonly string[]): TargetResult {
  const [model, ...tail] = rest;
  if (model === undefined) {
    return routeTarget(method, { GET: "list" }, "");
  }
  if (model === "stats" && tail.length === 0) {
    return routeTarget(method, { GET: "stats" }, "");
  }
  // Any non-empty version is accepted and reported: MLServer takes any string, Triton digits.
  const versioned = tail[0] === "versions";
  const version = versioned ? (tail[1] ?? "") : "";
  if (versioned && version === "") {
    return target(model, "unknown");
  }
  const kind = (versioned ? tail.slice(2) : tail).join("/");
  const actions = own(MODEL_KINDS, kind) ?? (versioned ? undefined : own(UNVERSIONED_KINDS, kind));
  return routeTarget(method, actions ?? {}, model, version);
}
