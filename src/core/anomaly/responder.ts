import type { Identity } from "../identity/identity.ts";
import type { PolicyRef } from "../policy/types.ts";
import type { AnomalyRule } from "./rules.ts";

// The port through which an alert acts on the caller. The limiter implements it (its penalty
// box is shared in Redis), so the anomaly code knows nothing about limiter keys. Called once
// per alert, by the replica that raised it; an implementation must therefore put the block
// or the lowered limits where every replica sees them.

export interface AnomalyTarget {
  readonly rule: AnomalyRule;
  readonly identity: Identity; // the real identity, even when audit subjects are pseudonymous
  readonly policy: PolicyRef | undefined; // the triggering decision's policy, when it had one
  readonly decisionId: string;
}

export interface AnomalyResponder {
  // Deny every request of this identity for periodMs (reason anomaly_blocked).
  block(target: AnomalyTarget, periodMs: number): Promise<void>;
  // Multiply this identity's limits by factor (0 < factor < 1) for periodMs.
  lowerLimits(target: AnomalyTarget, factor: number, periodMs: number): Promise<void>;
}
