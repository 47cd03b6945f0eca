import type { AnomalyPlan, DistinctPlan, RawFiring } from "../../core/anomaly/anomaly-plan.ts";
import { ANOMALY_RULES } from "../../core/anomaly/rules.ts";

// A plan as the script's KEYS and ARGV (layout in anomaly-lua.ts), and its reply back as
// firings. Rules the plan leaves out get placeholder keys in the identity's own hash slot, so
// the call never spans slots.

export interface AnomalyScriptCall {
  readonly keys: readonly string[];
  readonly args: readonly string[];
}

const s = (n: number): string => String(n);
const flag = (b: boolean): string => (b ? "1" : "0");

function distinctArgs(p: DistinctPlan | undefined): string[] {
  return p === undefined ? ["0", "", "0", "0", "0", "0"] : ["1", p.member, s(p.cap), s(p.ttlMs), s(p.cooldown.ms), s(p.cooldown.ttlMs)];
}

export function encodePlan(plan: AnomalyPlan): AnomalyScriptCall {
  const { volume: v, probing: p, reconnaissance: r, sharing: sh, tag } = plan;
  const placeholder = `${tag}:-`;
  const keys = [v?.key, p?.key, r?.key, sh?.key, v?.cooldown.key, p?.cooldown.key, r?.cooldown.key, sh?.cooldown.key].map(
    (k) => k ?? placeholder,
  );
  const args = [
    s(plan.time),
    plan.kind === "decision" ? "d" : "o",
    ...(v === undefined
      ? Array<string>(9).fill("0")
      : [
          "1",
          s(v.bucket),
          s(v.baselineWindows),
          s(v.factorPermille),
          s(v.minRequests),
          s(v.forgetWindows),
          s(v.ttlMs),
          s(v.cooldown.ms),
          s(v.cooldown.ttlMs),
        ]),
    ...(p === undefined
      ? Array<string>(7).fill("0")
      : ["1", flag(p.bad), s(p.minRequests), s(p.sharePermille), s(p.ttlMs), s(p.cooldown.ms), s(p.cooldown.ttlMs)]),
    ...distinctArgs(r),
    ...distinctArgs(sh),
  ];
  return { keys, args };
}

// undefined for a reply that is not what the script returns (a bug, or not our script).
export function decodeReply(reply: unknown): RawFiring[] | undefined {
  if (!Array.isArray(reply) || reply.length % 4 !== 0) return undefined;
  const out: RawFiring[] = [];
  for (let i = 0; i < reply.length; i += 4) {
    const [index, a, b, c] = reply.slice(i, i + 4) as unknown[];
    const rule = typeof index === "number" ? ANOMALY_RULES[index] : undefined;
    if (rule === undefined || typeof a !== "number" || typeof b !== "number" || typeof c !== "number") return undefined;
    out.push({ rule, values: rule === "volume" || rule === "probing" ? [a, b, c] : [a] });
  }
  return out;
}
