import type { JsonObject } from "../audit/canonical-json.ts";
import type { AnomalyConfig } from "./anomaly-config.ts";
import { planFor, planIsEmpty } from "./anomaly-plan.ts";
import { evaluatePlan } from "./evaluate-plan.ts";
import { findingOf, type AnomalyFinding } from "./finding.ts";
import { NO_POLICY_RESPONSES, type PolicyResponses } from "./policy-responses.ts";
import { MemoryRuleStore } from "./memory-store.ts";
import { outcomeObservation, type AnomalyObservation } from "./observation.ts";
import { PendingDecisions } from "./pending-decisions.ts";
import { observeDecisionRecord, outcomeFactsOf, recordTime } from "./record-observation.ts";
import { statusMatches } from "./status-pattern.ts";

// The rules over audit records, in memory: what `modelgate audit analyze` runs. Same
// observations, same plan, same arithmetic as the online detector, with an in-memory store in
// place of Redis, so the same traffic yields the same findings. Feed records in time order
// (several chains merged by time, as they happened).

export class AnomalyAnalyzer {
  readonly config: AnomalyConfig;
  readonly #store = new MemoryRuleStore();
  readonly #pending: PendingDecisions<AnomalyObservation>;
  readonly #responses: PolicyResponses;
  observations = 0;

  constructor(config: AnomalyConfig, responses: PolicyResponses = NO_POLICY_RESPONSES) {
    this.config = config;
    this.#responses = responses;
    this.#pending = new PendingDecisions(config.outcomes.maxPending, config.outcomes.waitMs);
  }

  // Any audit record: decisions and outcomes are used, every other type is ignored.
  record(type: string, object: JsonObject): AnomalyFinding[] {
    const time = recordTime(object);
    if (time === undefined) return [];
    this.#store.advance(time);
    if (type === "decision") return this.#decision(object, time);
    if (type === "outcome") return this.#outcome(object, time);
    return [];
  }

  observe(obs: AnomalyObservation): AnomalyFinding[] {
    const plan = planFor(obs, this.config);
    if (planIsEmpty(plan)) return [];
    this.observations += 1;
    return evaluatePlan(this.#store, plan).map((raw) => findingOf(raw, obs, this.config, this.#responses));
  }

  #decision(object: JsonObject, time: number): AnomalyFinding[] {
    const probing = this.config.rules.probing;
    const obs = observeDecisionRecord(object, probing.denialStatuses);
    if (obs === undefined) return [];
    if (probing.enabled && probing.errorStatuses.length > 0 && object["decision"] === "allow")
      this.#pending.note(obs.decisionId, obs, time);
    return this.observe(obs);
  }

  #outcome(object: JsonObject, time: number): AnomalyFinding[] {
    const facts = outcomeFactsOf(object);
    if (facts === undefined || !facts.allowed) return [];
    const decision = this.#pending.take(facts.decisionId, time);
    if (decision === undefined || facts.responseCode === undefined) return [];
    return statusMatches(this.config.rules.probing.errorStatuses, facts.responseCode) ? this.observe(outcomeObservation(decision)) : [];
  }
}
