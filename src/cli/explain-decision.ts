import type { Decision } from "../core/decision.ts";
import { respond } from "../core/respond.ts";

// The human answer to "why was I denied?": every fact the pipeline gathered, one per line.

function identityLine(decision: Decision): string {
  const id = decision.identity;
  if (id === undefined)
    return decision.identitySource === undefined ? "none presented (anonymous)" : `rejected by source "${decision.identitySource}"`;
  const attrs = Object.entries(id.attributes).map(([k, v]) => `${k}=${typeof v === "string" ? v : `[${v.join(",")}]`}`);
  const parts = [`${id.method} via source "${decision.identitySource ?? ""}"`, `subject=${id.subject}`];
  if (id.keyId !== "") parts.push(`key=${id.keyId}`);
  if (id.groups.length > 0) parts.push(`groups=[${id.groups.join(",")}]`);
  return [...parts, ...attrs].join(" ");
}

function limitsLine(decision: Decision): string | undefined {
  const rl = decision.rateLimit;
  if (rl === undefined) return undefined;
  const each = rl.states.map(
    (s) => `${s.name} ${s.remaining}/${s.quota} per ${s.windowSeconds}s${rl.violated.includes(s.name) ? " (exceeded)" : ""}`,
  );
  return `${each.join("; ")} [${rl.mode} limiter]`;
}

export function explainDecision(decision: Decision): string {
  const response = respond(decision);
  const status = response.allowed ? "ALLOW (gRPC status 0)" : `DENY (HTTP ${response.httpStatus}, gRPC status ${response.grpcCode})`;
  const lines: [string, string | undefined][] = [
    ["decision", status],
    ["reason", decision.allowed ? "allowed" : `${decision.reason}: ${decision.detail}`],
    ["identity", identityLine(decision)],
    [
      "target",
      decision.target === undefined
        ? undefined
        : `model="${decision.target.model}" action=${decision.target.action} (from ${decision.target.source})`,
    ],
    [
      "policy",
      decision.policy === undefined
        ? undefined
        : `${decision.policy.namespace}/${decision.policy.name} generation ${decision.policy.generation}${decision.policy.rule === "" ? "" : ` rule ${decision.policy.rule}`}`,
    ],
    ["limits", limitsLine(decision)],
    ["decision id", decision.id],
  ];
  const headers = response.allowed ? [...response.upstreamHeaders, ...response.responseHeaders] : response.headers;
  const out = lines.filter(([, v]) => v !== undefined).map(([k, v]) => `${`${k}:`.padEnd(13)}${v}`);
  out.push(...headers.map(([k, v]) => `${"header:".padEnd(13)}${k}: ${v}`));
  return `${out.join("\n")}\n`;
}
