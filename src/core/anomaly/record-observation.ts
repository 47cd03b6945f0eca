import { isJsonObject, type JsonObject } from "../audit/canonical-json.ts";
import type { PolicyRef } from "../policy/types.ts";
import { observation, type AnomalyObservation, type ObservedIdentity } from "./observation.ts";

// The offline side of observation.ts: the same facts read back from a `decision` audit record,
// and the joined facts of an `outcome` record, for `modelgate audit analyze`.

function text(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === "string" ? v : undefined;
}

function identityOf(o: JsonObject): ObservedIdentity | undefined {
  const id = o["identity"];
  if (!isJsonObject(id)) return undefined;
  const [method, subject, issuer, keyId] = [text(id, "method"), text(id, "subject"), text(id, "issuer"), text(id, "key_id")];
  if (method === undefined || subject === undefined || issuer === undefined || keyId === undefined) return undefined;
  return { method, subject, issuer, keyId };
}

function policyOf(o: JsonObject): PolicyRef | undefined {
  const p = o["policy"];
  if (!isJsonObject(p)) return undefined;
  const [namespace, name, rule, generation] = [text(p, "namespace"), text(p, "name"), text(p, "rule"), p["generation"]];
  if (namespace === undefined || name === undefined || rule === undefined || typeof generation !== "number") return undefined;
  return { namespace, name, rule, generation };
}

export function recordTime(o: JsonObject): number | undefined {
  const t = text(o, "time");
  const ms = t === undefined ? Number.NaN : Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

// undefined for a record the rules cannot use (no identity, anonymous, no time).
export function observeDecisionRecord(o: JsonObject, denialStatuses: readonly number[]): AnomalyObservation | undefined {
  const who = identityOf(o);
  const time = recordTime(o);
  if (who === undefined || time === undefined) return undefined;
  const status = o["status"];
  return observation({
    who,
    time,
    model: text(o, "model"),
    sourceAddress: text(o, "source_address"),
    bad: text(o, "decision") === "deny" && typeof status === "number" && denialStatuses.includes(status),
    decisionId: text(o, "decision_id") ?? "",
    requestId: text(o, "request_id") ?? "",
    policy: policyOf(o),
  });
}

export interface OutcomeFacts {
  readonly decisionId: string;
  readonly allowed: boolean;
  readonly responseCode: number | undefined;
}

export function outcomeFactsOf(o: JsonObject): OutcomeFacts | undefined {
  const decisionId = text(o, "decision_id");
  const code = o["response_code"];
  if (decisionId === undefined) return undefined;
  return { decisionId, allowed: text(o, "decision") === "allow", responseCode: typeof code === "number" ? code : undefined };
}
