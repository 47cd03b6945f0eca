import type { ResourceList, ResourceRequirements } from "./injector-config.ts";
import { isPlainObject, unknownKeyMessage } from "../parse/fields.ts";

// Kubernetes resource quantities and requirements as the API server accepts them, checked
// here so a bad value is refused with the annotation's or config key's name rather than by
// the API server's generic "quantities must match the regular expression".

const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/;
const RESOURCE_NAMES = new Set(["cpu", "memory", "ephemeral-storage"]);

export function quantityProblem(value: unknown): string | undefined {
  if (typeof value !== "string" && typeof value !== "number") return `${JSON.stringify(value)} is not a quantity`;
  return QUANTITY.test(String(value)) ? undefined : `${JSON.stringify(value)} is not a Kubernetes quantity (e.g. 100m, 128Mi)`;
}

function resourceList(value: unknown, where: string): { list: ResourceList } | { problem: string } {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { problem: `${where} must be a mapping of resource name to quantity` };
  const out: Record<string, string> = {};
  for (const [name, q] of Object.entries(value)) {
    if (!RESOURCE_NAMES.has(name)) return { problem: `${where}.${name}: unknown resource (cpu, memory or ephemeral-storage)` };
    const problem = quantityProblem(q);
    if (problem !== undefined) return { problem: `${where}.${name}: ${problem}` };
    out[name] = String(q);
  }
  return { list: out };
}

// {requests?: {...}, limits?: {...}}; anything else is a problem naming the key.
export function parseResourceRequirements(value: unknown): { value: ResourceRequirements } | { problem: string } {
  if (!isPlainObject(value)) return { problem: "must be a mapping with requests and/or limits" };
  const unknown = Object.keys(value).find((k) => k !== "requests" && k !== "limits");
  if (unknown !== undefined) return { problem: unknownKeyMessage(unknown, ["requests", "limits"]) };
  const result: { requests?: ResourceList; limits?: ResourceList } = {};
  for (const key of ["requests", "limits"] as const) {
    const raw = (value as Record<string, unknown>)[key];
    if (raw === undefined) continue;
    const parsed = resourceList(raw, key);
    if ("problem" in parsed) return parsed;
    result[key] = parsed.list;
  }
  return { value: result };
}
