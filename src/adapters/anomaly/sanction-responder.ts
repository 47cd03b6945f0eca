import type { AnomalyResponder } from "../../core/anomaly/responder.ts";
import { sanctionKey } from "../../core/limit/limit-keys.ts";
import { FULL_FACTOR, type SanctionPort } from "../../core/limit/sanction.ts";

// Anomaly responses as limiter sanctions on the caller's identity, across every policy: the
// limiter the Check pipeline calls reads them (see src/core/limit/sanction.ts).

export function sanctionResponder(port: SanctionPort): AnomalyResponder {
  return {
    block: (target, periodMs) => port.impose(sanctionKey(target.identity), { kind: "block", periodMs }),
    lowerLimits: (target, factor, periodMs) =>
      port.impose(sanctionKey(target.identity), { kind: "lower-limits", factorPermille: factorPermille(factor), periodMs }),
  };
}

// The configuration keeps factors in (0, 1) as whole thousandths; the clamp keeps a stray value
// from disabling (1000) or dividing by zero (0).
function factorPermille(factor: number): number {
  return Math.min(FULL_FACTOR - 1, Math.max(1, Math.round(factor * 1000)));
}
