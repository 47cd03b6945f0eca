import type { LimitCharge, PenaltyBoxCharge } from "../../core/limiter.ts";
import { emissionIntervalSteps, GRID } from "../../core/limit/gcra.ts";
import type { LimitFigures } from "../../core/limit/limit-states.ts";

// Arguments for, and replies from, the script in limiter-lua.ts (its header documents the layout).

export interface ScriptCall {
  readonly keys: readonly string[];
  readonly args: readonly string[];
}

export interface ScriptRow extends LimitFigures {
  readonly tatMs: number; // the key's TAT after this call (unchanged when nothing was charged)
}

export interface ScriptReply {
  readonly nowMs: number; // Redis TIME on the grid, as epoch milliseconds
  readonly status: "allowed" | "limited" | "blocked";
  readonly blockMs: number; // blocked: what is left of the block
  readonly blockStarted: boolean; // blocked: this very call started the block
  readonly rows: readonly ScriptRow[];
}

export type ScriptOp = "charge" | "undo";

const steps = (ms: number): string => String(ms * GRID);

export function encodeCall(op: ScriptOp, charges: readonly LimitCharge[], cost: number, box: PenaltyBoxCharge | undefined, recordViolation = false): ScriptCall {
  const keys = box === undefined ? [] : [box.key];
  const spec = box?.spec;
  const args = [
    op,
    String(cost),
    box === undefined ? "0" : "1",
    String(spec?.violations ?? 0),
    steps(spec?.withinMs ?? 0),
    steps(spec?.blockMs ?? 0),
    steps(spec?.maxBlockMs ?? 0),
    recordViolation ? "1" : "0",
  ];
  for (const { key, limit } of charges) {
    keys.push(key);
    args.push(String(emissionIntervalSteps(limit)), String(limit.burst), limit.shadow === true ? "1" : "0");
  }
  return { keys, args };
}

const STATUS = ["allowed", "limited", "blocked"] as const;

function isIntegerList(raw: unknown): raw is number[] {
  return Array.isArray(raw) && raw.every((v) => Number.isSafeInteger(v));
}

// undefined when the reply is not what the script returns: a bug or a foreign script.
export function decodeReply(raw: unknown, rowCount: number): ScriptReply | undefined {
  if (!isIntegerList(raw) || raw.length < 4) return undefined;
  const [now = 0, code = -1, block = 0, started = 0] = raw;
  const status = STATUS[code];
  if (status === undefined) return undefined;
  const head = { nowMs: now / GRID, status, blockMs: block / GRID, blockStarted: started === 1 };
  if (status === "blocked") return { ...head, rows: [] };
  if (raw.length !== 4 + rowCount * 5) return undefined;
  const rows: ScriptRow[] = [];
  for (let i = 4; i < raw.length; i += 5) {
    const [allowed, remaining, reset, retry, tat] = raw.slice(i, i + 5) as [number, number, number, number, number];
    rows.push({ allowed: allowed === 1, remaining, resetMs: reset / GRID, retryAfterMs: retry / GRID, tatMs: tat / GRID });
  }
  return { ...head, rows };
}
