import { err, ok, type Result } from "../result.ts";

// Which HTTP statuses count as "bad" for the probing rule: an exact code (404) or a class
// ("4xx", "5xx"), so configuration reads the way operators already talk about errors.

export type StatusPattern = { readonly kind: "exact"; readonly code: number } | { readonly kind: "class"; readonly hundreds: number };

const CLASS = /^([1-5])xx$/i;

export function parseStatusPattern(value: unknown): Result<StatusPattern, string> {
  if (typeof value === "number" && Number.isInteger(value) && value >= 100 && value <= 599) return ok({ kind: "exact", code: value });
  if (typeof value === "string") {
    const m = CLASS.exec(value);
    if (m !== null) return ok({ kind: "class", hundreds: Number(m[1]) });
    if (/^[1-5]\d\d$/.test(value)) return ok({ kind: "exact", code: Number(value) });
  }
  return err(`must be an HTTP status (100–599) or a class such as "5xx" (got ${JSON.stringify(value)})`);
}

export function statusMatches(patterns: readonly StatusPattern[], status: number): boolean {
  return patterns.some((p) => (p.kind === "exact" ? p.code === status : Math.floor(status / 100) === p.hundreds));
}
