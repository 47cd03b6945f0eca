import type { AnomalyPlan, CooldownPlan, DistinctPlan, RawFiring } from "./anomaly-plan.ts";
import { claimCooldown } from "./cooldown.ts";
import { addCapped } from "./distinct.ts";
import { probingOver, sharePermilleOf, stepProbing, type ProbingCounts } from "./probing.ts";
import type { AnomalyRule } from "./rules.ts";
import { stepVolume, type VolumeState } from "./volume.ts";

// Executes a plan against a key-value store with expiry, in the same order and with the same
// arithmetic as the Redis script: count, compare, then claim the cooldown. `audit analyze`
// runs it over an in-memory store (memory-store.ts); the script is its Redis twin.

export interface RuleStore {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown, ttlMs: number): void;
}

function claim(store: RuleStore, c: CooldownPlan, time: number): boolean {
  const outcome = claimCooldown(store.get<number>(c.key), time, c.ms);
  if (outcome.claimed) store.set(c.key, outcome.until, c.ttlMs);
  return outcome.claimed;
}

function distinct(store: RuleStore, rule: AnomalyRule, plan: DistinctPlan, time: number, out: RawFiring[]): void {
  const members = addCapped(store.get<ReadonlySet<string>>(plan.key), plan.member, plan.cap);
  store.set(plan.key, members, plan.ttlMs);
  if (members.size >= plan.cap && claim(store, plan.cooldown, time)) out.push({ rule, values: [members.size] });
}

export function evaluatePlan(store: RuleStore, plan: AnomalyPlan): RawFiring[] {
  const out: RawFiring[] = [];
  const { volume: v, probing: p, reconnaissance: r, sharing: s, time } = plan;
  if (v !== undefined) {
    const step = stepVolume(store.get<VolumeState>(v.key), v.bucket, v);
    store.set(v.key, step.state, v.ttlMs);
    if (step.state.count >= step.threshold && claim(store, v.cooldown, time))
      out.push({ rule: "volume", values: [step.state.count, step.state.baselineMilli, step.threshold] });
  }
  if (p !== undefined) {
    const counts = stepProbing(store.get<ProbingCounts>(p.key), plan.kind, p.bad);
    store.set(p.key, counts, p.ttlMs);
    if (probingOver(counts, p) && claim(store, p.cooldown, time))
      out.push({ rule: "probing", values: [counts.total, counts.bad, sharePermilleOf(counts)] });
  }
  if (r !== undefined) distinct(store, "reconnaissance", r, time, out);
  if (s !== undefined) distinct(store, "sharing", s, time, out);
  return out;
}
