import { err, ok, type Result } from "../result.ts";
import { isJsonObject, parseCanonical, type JsonObject } from "./canonical-json.ts";
import { isValidChainId } from "./chain.ts";
import { AUDIT_EVENT_TYPES, AUDIT_FORMAT_VERSION, type AuditEventType } from "./event.ts";

// Reads one audit line back: canonical JSON, a known version and a well-formed envelope.
// Readers of the format (the verifier, `modelgate audit analyze`) start here.

export interface ParsedRecord {
  readonly object: JsonObject;
  readonly chain: string;
  readonly seq: number;
  readonly prev: string;
  readonly hash: string;
  readonly type: AuditEventType;
  readonly time: string;
}

export interface CheckpointFields {
  readonly headSeq: number;
  readonly headHash: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

export function parseAuditLine(text: string): Result<ParsedRecord, string> {
  const parsed = parseCanonical(text);
  if (!parsed.ok) return err(`the line ${parsed.error}`);
  const o = parsed.value;
  if (!isJsonObject(o)) return err("the line is not a JSON object");
  if (o["v"] !== AUDIT_FORMAT_VERSION) return err(`unknown format version ${JSON.stringify(o["v"])}`);
  const { chain, seq, prev, hash, type, time } = o;
  if (typeof chain !== "string" || !isValidChainId(chain)) return err("chain is missing or invalid");
  if (typeof seq !== "number" || seq < 0) return err("seq is missing or negative");
  if (typeof prev !== "string" || !HEX64.test(prev)) return err("prev is not a SHA-256 hex digest");
  if (typeof hash !== "string" || !HEX64.test(hash)) return err("hash is not a SHA-256 hex digest");
  if (typeof type !== "string" || !(AUDIT_EVENT_TYPES as readonly string[]).includes(type)) return err("type is missing or unknown");
  if (typeof time !== "string") return err("time is missing");
  return ok({ object: o, chain, seq, prev, hash, type: type as AuditEventType, time });
}

export function checkpointFields(record: ParsedRecord): Result<CheckpointFields, string> {
  const head = record.object["head"];
  if (!isJsonObject(head)) return err("checkpoint has no head");
  const { seq, hash } = head;
  if (typeof seq !== "number" || typeof hash !== "string") return err("checkpoint head must have seq and hash");
  return ok({ headSeq: seq, headHash: hash });
}

// In a mixed stream (stdout shared with the application log, `kubectl logs` of a sidecar) a line
// is taken for an audit record when it claims to be one: a JSON object with at least two of the
// envelope keys, or — when it does not even parse — text naming two of them (`"seq":`), so a
// damaged record is still read, and fails, rather than skipped as a log line. Anything else is
// skipped. Skipping is safe: a record turned into something else still leaves a gap in seq and prev.
const ENVELOPE_KEYS = ["chain", "seq", "prev", "hash"] as const;
const CLAIM = 2;

export function looksLikeAuditRecord(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return ENVELOPE_KEYS.filter((key) => text.includes(`"${key}":`)).length >= CLAIM; // not JSON
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return ENVELOPE_KEYS.filter((key) => key in value).length >= CLAIM;
}
