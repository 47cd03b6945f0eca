// Action classes. Profiles produce these; custom routes may produce any other name (e.g. "train").
export const BUILTIN_ACTIONS = [
  "predict",
  "stream",
  "explain",
  "read",
  "stats",
  "list",
  "health",
  "admin",
  "write",
  "delete",
  "unknown",
] as const;

export type Action = string;

export type ProtocolName = "generic" | "kserve-v1" | "open-inference-v2" | "openai" | "torchserve";

export const PROTOCOLS: readonly ProtocolName[] = ["generic", "kserve-v1", "open-inference-v2", "openai", "torchserve"];

export interface ModelAction {
  readonly model: string; // "" when the request targets no model (e.g. list, server health)
  readonly version: string; // "" when absent
  readonly action: Action;
  readonly source: "route" | "profile" | "header"; // header: a routing header (routing-headers.ts)
}
