// One alert per identity, rule and cooldown. Whoever finds the cooldown expired claims it and
// raises the alert; in Redis the claim runs inside the same script as the counting, so of
// several replicas exactly one wins. The stored value is the end of the cooldown in decision
// time, which keeps replicas, and `audit analyze` over recorded times, in agreement.

export interface CooldownClaim {
  readonly claimed: boolean;
  readonly until: number | undefined;
}

export function claimCooldown(until: number | undefined, time: number, cooldownMs: number): CooldownClaim {
  if (until !== undefined && until > time) return { claimed: false, until };
  return { claimed: true, until: time + cooldownMs };
}
