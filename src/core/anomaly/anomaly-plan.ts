import type { AnomalyConfig } from "./anomaly-config.ts";
import { memberDigest, type AnomalyObservation } from "./observation.ts";
import type { AnomalyRule } from "./rules.ts";
import type { VolumeParams } from "./volume.ts";
import { windowIndex } from "./window.ts";

// What one observation does to the shared state: which keys, which windows, which thresholds.
// The Redis script and the in-memory engine of `audit analyze` both execute this plan, so they
// touch the same keys with the same numbers. Every key of one identity carries the identity
// digest as its hash tag (`{…}`), so the plan runs as one script on Redis Cluster too; no key
// holds a subject, a model name or an address in clear.

export interface CooldownPlan {
  readonly key: string;
  readonly ms: number;
  readonly ttlMs: number;
}

export interface VolumePlan extends VolumeParams {
  readonly key: string;
  readonly bucket: number;
  readonly ttlMs: number;
  readonly cooldown: CooldownPlan;
}

export interface ProbingPlan {
  readonly key: string;
  readonly bad: boolean;
  readonly minRequests: number;
  readonly sharePermille: number;
  readonly ttlMs: number;
  readonly cooldown: CooldownPlan;
}

export interface DistinctPlan {
  readonly key: string;
  readonly member: string; // digest
  readonly cap: number;
  readonly ttlMs: number;
  readonly cooldown: CooldownPlan;
}

export interface AnomalyPlan {
  readonly tag: string; // `<prefix>:{<identity digest>}`: every key of the plan starts with it
  readonly kind: "decision" | "outcome";
  readonly time: number;
  readonly volume: VolumePlan | undefined;
  readonly probing: ProbingPlan | undefined;
  readonly reconnaissance: DistinctPlan | undefined;
  readonly sharing: DistinctPlan | undefined;
}

// Expiry is garbage collection only, never part of a rule's meaning: every key outlives the
// last moment its value can matter by one window, so a decision arriving up to one window late
// (a lagging replica, a slow outcome) finds the same state in Redis as in `audit analyze`'s
// in-memory twin. A windowed key lives two windows from its last write; a cooldown key one
// window past its end; the volume state one window past the point where it would start over.
const WINDOW_TTL_FACTOR = 2;
// A baseline unfed for this many × N windows has decayed below e^-10 of itself: start over
// (after 30 days at most, so no identity's state outlives that in Redis).
const FORGET_FACTOR = 10;
const FORGET_MAX_MS = 30 * 86_400_000;

export function planFor(obs: AnomalyObservation, config: AnomalyConfig): AnomalyPlan {
  const tag = `${config.redis.keyPrefix}:{${obs.identityKey}}`;
  const cooldown = (rule: AnomalyRule): CooldownPlan => {
    const r = config.rules[rule];
    return { key: `${tag}:c:${rule}`, ms: r.cooldownMs, ttlMs: r.cooldownMs + r.windowMs };
  };
  const { volume: v, probing: p, reconnaissance: r, sharing: s } = config.rules;
  const decision = obs.kind === "decision";
  const w = (ms: number): number => windowIndex(obs.time, ms);
  const forget = Math.max(1, Math.min(FORGET_FACTOR * v.baselineWindows, Math.floor(FORGET_MAX_MS / v.windowMs)));
  return {
    tag,
    kind: obs.kind,
    time: obs.time,
    volume:
      v.enabled && decision
        ? {
            key: `${tag}:v`,
            bucket: w(v.windowMs),
            baselineWindows: v.baselineWindows,
            factorPermille: v.factorPermille,
            minRequests: v.minRequests,
            forgetWindows: forget,
            ttlMs: (forget + 2) * v.windowMs,
            cooldown: cooldown("volume"),
          }
        : undefined,
    probing:
      p.enabled && (decision || obs.bad)
        ? {
            key: `${tag}:p:${w(p.windowMs)}`,
            bad: obs.bad,
            minRequests: p.minRequests,
            sharePermille: p.sharePermille,
            ttlMs: WINDOW_TTL_FACTOR * p.windowMs,
            cooldown: cooldown("probing"),
          }
        : undefined,
    reconnaissance:
      r.enabled && decision && obs.model !== undefined
        ? {
            key: `${tag}:r:${w(r.windowMs)}`,
            member: memberDigest(obs.model),
            cap: r.models,
            ttlMs: WINDOW_TTL_FACTOR * r.windowMs,
            cooldown: cooldown("reconnaissance"),
          }
        : undefined,
    sharing:
      s.enabled && decision && obs.network !== undefined
        ? {
            key: `${tag}:s:${obs.credentialKey}:${w(s.windowMs)}`,
            member: memberDigest(obs.network),
            cap: s.sources,
            ttlMs: WINDOW_TTL_FACTOR * s.windowMs,
            cooldown: cooldown("sharing"),
          }
        : undefined,
  };
}

export function planIsEmpty(plan: AnomalyPlan): boolean {
  return plan.volume === undefined && plan.probing === undefined && plan.reconnaissance === undefined && plan.sharing === undefined;
}

// A rule that fired and won its cooldown, with the numbers the alert reports:
//   volume [count, baselineMilli, threshold]; probing [total, bad, share‰];
//   reconnaissance [models]; sharing [sources].
export interface RawFiring {
  readonly rule: AnomalyRule;
  readonly values: readonly number[];
}
