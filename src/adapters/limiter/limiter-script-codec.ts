import type { LimitCharge, PenaltyBoxCharge } from "../../core/limit/limiter-port.ts";
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
  // blocked: by the policy's penalty box; sanctioned: by an anomaly response
  readonly status: "allowed" | "limited" | "blocked" | "sanctioned";
  readonly blockMs: number; // blocked or sanctioned: what is left of the block
  readonly blockStarted: boolean; // blocked: this very call started the block
  readonly factorPermille: number; // applied to the caller-owned limits; 1000 when not lowered
  readonly rows: readonly ScriptRow[];
}

export type ScriptOp = "charge" | "undo" | "forgive";

// What a call reads or writes besides the limits: the policy's penalty box, the caller's
// sanction key (charge only), for an undo whether it records a violation and the factor the
// charge used, so the refund takes back exactly what was added, and for a forgive the end of
// the block the forgiven violation started (epoch ms on Redis' grid), if it started one.
export interface CallExtras {
  readonly box?: PenaltyBoxCharge | undefined;
  readonly sanction?: string | undefined;
  readonly recordViolation?: boolean;
  readonly factorPermille?: number;
  readonly startedBlockUntilMs?: number;
}

const steps = (ms: number): string => String(ms * GRID);
const flag = (on: boolean): string => (on ? "1" : "0");

export function encodeCall(op: ScriptOp, charges: readonly LimitCharge[], cost: number, extras: CallExtras = {}): ScriptCall {
  const { box, sanction } = extras;
  const keys = [...(sanction === undefined ? [] : [sanction]), ...(box === undefined ? [] : [box.key])];
  const spec = box?.spec;
  const args = [
    op,
    String(cost),
    flag(box !== undefined),
    flag(sanction !== undefined),
    String(spec?.violations ?? 0),
    steps(spec?.withinMs ?? 0),
    steps(spec?.blockMs ?? 0),
    steps(spec?.maxBlockMs ?? 0),
    op === "forgive" ? steps(extras.startedBlockUntilMs ?? 0) : flag(extras.recordViolation === true),
    String(extras.factorPermille ?? 1000),
  ];
  for (const { key, limit, callerOwned } of charges) {
    keys.push(key);
    args.push(String(emissionIntervalSteps(limit)), String(limit.burst), flag(limit.shadow === true), flag(callerOwned === true));
  }
  return { keys, args };
}

const STATUS = ["allowed", "limited", "blocked", "sanctioned"] as const;
const HEAD = 5;

function isIntegerList(raw: unknown): raw is number[] {
  return Array.isArray(raw) && raw.every((v) => Number.isSafeInteger(v));
}

// undefined when the reply is not what the script returns: a bug or a foreign script.
export function decodeReply(raw: unknown, rowCount: number): ScriptReply | undefined {
  if (!isIntegerList(raw) || raw.length < HEAD) return undefined;
  const [now = 0, code = -1, block = 0, started = 0, factor = 0] = raw;
  const status = STATUS[code];
  if (status === undefined || factor < 1 || factor > 1000) return undefined;
  const blocked = status === "blocked" || status === "sanctioned";
  if (!blocked && raw.length !== HEAD + rowCount * 5) return undefined;
  // Rows read in place (no slice per row): this runs once per Redis decision.
  const rows: ScriptRow[] = [];
  for (let i = HEAD; !blocked && i < raw.length; i += 5) {
    rows.push({
      allowed: raw[i] === 1,
      remaining: raw[i + 1] as number,
      resetMs: (raw[i + 2] as number) / GRID,
      retryAfterMs: (raw[i + 3] as number) / GRID,
      tatMs: (raw[i + 4] as number) / GRID,
    });
  }
  return { nowMs: now / GRID, status, blockMs: block / GRID, blockStarted: started === 1, factorPermille: factor, rows };
}
