import type { NormalizedRequest } from "../normalized-request.ts";
import { pathSegments } from "../path-segments.ts";
import { resolveModelsRoute } from "./open-inference-v2-models.ts";
import { OIP_GRPC_SERVICE, resolveOipGrpc } from "./open-inference-v2-grpc.ts";
import type { MethodActions, TargetResult } from "./target.ts";
import { own, routeTarget, unrecognised } from "./target.ts";

const READ_OR_ADMIN: MethodActions = { GET: "read", POST: "admin" };

// Server-wide routes under /v2, keyed by the rest of the path.
const FIXED: Readonly<Record<string, MethodActions>> = {
  "": { GET: "read" },
  "health/live": { GET: "health" },
  "health/ready": { GET: "health" },
  "trace/setting": READ_OR_ADMIN,
  logging: READ_OR_ADMIN,
};

// Open Inference Protocol / KServe V2 / Triton / MLServer over HTTP (ml-protocols.md §2).
// Server-wide routes (metadata, health, trace, logging, shared memory, repository index) target
// no model (""); repository load/unload targets the model it loads.
export function resolveOpenInferenceV2(req: NormalizedRequest, defaultModel: string): TargetResult {
  if (req.path.startsWith(OIP_GRPC_SERVICE)) return resolveOipGrpc(req, defaultModel);
  const segments = pathSegments(req.path);
  if (segments[0] !== "v2") {
    return unrecognised(defaultModel);
  }
  const [area, ...rest] = segments.slice(1);
  if (area === "models") {
    return resolveModelsRoute(req.method, rest);
  }
  const route = serverRoute(segments.slice(1));
  return route === undefined ? unrecognised(defaultModel) : routeTarget(req.method, route.actions, route.model);
}

interface Route {
  readonly actions: MethodActions;
  readonly model: string;
}

function serverRoute(segments: readonly string[]): Route | undefined {
  const [area, ...rest] = segments;
  if (area === "repository") {
    return repositoryRoute(rest) ?? repositoryRoute(rest.slice(1));
  }
  if (area === "systemsharedmemory" || area === "cudasharedmemory") {
    return sharedMemoryRoute(rest);
  }
  const actions = own(FIXED, segments.join("/"));
  return actions === undefined ? undefined : { actions, model: "" };
}

// /v2/repository[/<repo>]/index and /v2/repository[/<repo>]/models/<m>/{load,unload}; the
// caller retries without the first segment for the optional repository name.
function repositoryRoute(rest: readonly string[]): Route | undefined {
  if (rest.length === 1 && rest[0] === "index") {
    return { actions: { POST: "list" }, model: "" };
  }
  const [models, model, verb] = rest;
  if (rest.length === 3 && models === "models" && model !== undefined && (verb === "load" || verb === "unload")) {
    return { actions: { POST: "admin" }, model };
  }
  return undefined;
}

// /v2/{system,cuda}sharedmemory[/region/<r>]/{status,register,unregister}; `<r>` is a memory
// region, not a model.
function sharedMemoryRoute(rest: readonly string[]): Route | undefined {
  const verb = rest.length === 1 ? rest[0] : rest.length === 3 && rest[0] === "region" ? rest[2] : undefined;
  if (verb === "status") {
    return { actions: { GET: "read" }, model: "" };
  }
  if (verb === "register" || verb === "unregister") {
    return { actions: { POST: "admin" }, model: "" };
  }
  return undefined;
}
