import type { Identity } from "../identity/identity.ts";
import type { Evaluation, LimitSpec } from "../policy/types.ts";
import type { KeyDigest } from "./key-digest.ts";
import { limitCharge, penaltyKey, sanctionKey, type KeyContext } from "./limit-keys.ts";
import type { ChargeRequest, LimitCharge } from "./limiter-port.ts";

// What an allowed request asks the limiter for: its limits keyed for this caller, the allowing
// policy's penalty box and the caller's sanction key.
//
// The same caller allowed by the same rule asks for the same keys on every request, and building
// them (a few texts per limit, each digested and joined into a key) was a third of what a
// decision allocated. So the request is kept, per caller and allowing rule, for as long as both
// objects live: the key store hands out one frozen Identity per key (and the JWT cache one per
// token), and a compiled rule's Evaluation is one object until the policies are reloaded — a
// reload or a new key index makes new objects and so new entries, and the old ones go with the
// garbage (WeakMap). Per-model limits add the model to the entry's name, bounded per caller and
// rule; limits by source address (the peer's port changes per connection) are built every time.

export type AllowEvaluation = Evaluation & { readonly effect: "allow" };

export interface ChargePlans {
  chargeRequest(evaluation: AllowEvaluation, identity: Identity, model: string, sourceAddress: string): ChargeRequest;
}

export interface ChargePlanOptions {
  readonly digest: KeyDigest;
  // Anomaly responses are on: every request of an identified caller carries its sanction key.
  readonly sanctions: boolean;
  readonly modelsPerPlan?: number; // default 64; past it the caller's entries for that rule start over
}

export function chargePlans(options: ChargePlanOptions): ChargePlans {
  const plans = new WeakMap<Identity, WeakMap<AllowEvaluation, Map<string, ChargeRequest>>>();
  const modelsPerPlan = options.modelsPerPlan ?? 64;
  return {
    chargeRequest: (evaluation, identity, model, sourceAddress) => {
      const by = keyedBy(evaluation);
      if (by === "source") return buildChargeRequest(evaluation, identity, model, sourceAddress, options);
      let byRule = plans.get(identity);
      if (byRule === undefined) plans.set(identity, (byRule = new WeakMap()));
      let byModel = byRule.get(evaluation);
      if (byModel === undefined) byRule.set(evaluation, (byModel = new Map()));
      const name = by === "model" ? model : "";
      const known = byModel.get(name);
      if (known !== undefined) return known;
      const built = buildChargeRequest(evaluation, identity, model, sourceAddress, options);
      if (byModel.size >= modelsPerPlan) byModel.clear();
      byModel.set(name, built);
      return built;
    },
  };
}

// What besides the caller and the rule the keys depend on.
function keyedBy(evaluation: AllowEvaluation): KeyedBy {
  const rule = keyedByLimits(evaluation.ruleLimits);
  const policy = keyedByLimits(evaluation.policyLimits);
  return rule === "source" || policy === "source" ? "source" : rule === "model" || policy === "model" ? "model" : "caller";
}

type KeyedBy = "caller" | "model" | "source";

function keyedByLimits(limits: readonly LimitSpec[]): KeyedBy {
  let by: KeyedBy = "caller";
  for (let i = 0; i < limits.length; i++) {
    const kind = (limits[i] as LimitSpec).by.kind;
    if (kind === "source") return "source";
    if (kind === "identity-model") by = "model";
  }
  return by;
}

function buildChargeRequest(
  evaluation: AllowEvaluation,
  identity: Identity,
  model: string,
  sourceAddress: string,
  options: ChargePlanOptions,
): ChargeRequest {
  const { digest } = options;
  const ctx: KeyContext = { identity, model, sourceAddress, digest };
  const policy = evaluation.policy;
  const charges: LimitCharge[] = [];
  for (const limit of evaluation.ruleLimits) charges.push(Object.freeze(limitCharge(policy, policy.rule, limit, ctx)));
  for (const limit of evaluation.policyLimits) charges.push(Object.freeze(limitCharge(policy, "", limit, ctx)));
  const box = evaluation.penaltyBox;
  return Object.freeze({
    charges: Object.freeze(charges),
    cost: 1,
    // `closed` guards limits; a request that only asks about sanctions must not start failing
    // when Redis is down just because anomaly detection is on.
    failClosed: evaluation.failureMode === "closed" && charges.length > 0,
    penaltyBox: box === undefined ? undefined : Object.freeze({ key: penaltyKey(policy, ctx), spec: box }),
    // Anomaly rules never judge anonymous callers (one bucket for everyone), so none is sanctioned.
    ...(options.sanctions && identity.method !== "anonymous" ? { sanction: sanctionKey(identity, digest) } : {}),
  });
}
